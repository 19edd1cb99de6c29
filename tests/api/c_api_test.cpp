// The C API from C++ (tests/c holds a program compiled as C): statuses and
// messages for every misuse.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>

#include "api_fixture.hpp"
#include "joule/joule.h"

namespace {

using ::testing::HasSubstr;

class CApi : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("JOULE_TRACE", joule::test::kWrappingTrace.c_str(), 1);
    ::setenv("JOULE_COUNTRY", "FR", 1);
    ::unsetenv("JOULE_CONTROL");
    ASSERT_EQ(joule_session_open(&session_), JOULE_OK) << joule_last_error();
  }
  void TearDown() override {
    joule_session_free(session_);
    ::unsetenv("JOULE_TRACE");
    ::unsetenv("JOULE_COUNTRY");
  }
  joule_session* session_ = nullptr;
};

TEST_F(CApi, MeasuresAScope) {
  EXPECT_EQ(joule_session_reports_to_run(session_), 0);
  joule_scope* scope = nullptr;
  ASSERT_EQ(joule_scope_begin(session_, "batch", "inference", &scope), JOULE_OK);
  EXPECT_EQ(joule_scope_add_units(scope, 8), JOULE_OK);
  joule_result r;
  ASSERT_EQ(joule_scope_end(scope, &r), JOULE_OK) << joule_last_error();
  EXPECT_GT(r.energy_j, 0);
  EXPECT_EQ(r.provenance, JOULE_MEASURED);
  EXPECT_DOUBLE_EQ(r.units, 8);
  EXPECT_EQ(r.has_carbon, 1) << r.carbon_note;
  EXPECT_GT(r.co2e_g_central, 0);
  EXPECT_NEAR(r.sci_g_per_unit_central, r.co2e_g_central / 8, 1e-12);
  joule_scope_free(scope);
}

TEST_F(CApi, MisuseIsAStatusWithAMessage) {
  joule_scope* scope = nullptr;
  ASSERT_EQ(joule_scope_begin(session_, "s", nullptr, &scope), JOULE_OK);
  EXPECT_EQ(joule_scope_add_units(scope, -2), JOULE_E_USAGE);
  ASSERT_EQ(joule_scope_end(scope, nullptr), JOULE_OK);
  EXPECT_EQ(joule_scope_end(scope, nullptr), JOULE_E_USAGE);
  EXPECT_THAT(joule_last_error(), HasSubstr("'s' has already ended"));
  EXPECT_EQ(joule_scope_add_units(scope, 1), JOULE_E_USAGE);
  EXPECT_THAT(joule_last_error(), HasSubstr("it has ended"));
  joule_scope_free(scope);

  joule_scope* open = nullptr;
  ASSERT_EQ(joule_scope_begin(session_, "open", "", &open), JOULE_OK);
  EXPECT_EQ(joule_session_shutdown(session_), JOULE_OK);
  EXPECT_EQ(joule_session_shutdown(session_), JOULE_OK);
  EXPECT_EQ(joule_scope_end(open, nullptr), JOULE_E_SHUT_DOWN);
  EXPECT_THAT(joule_last_error(), HasSubstr("shut down"));
  joule_scope_free(open);
  joule_scope* late = reinterpret_cast<joule_scope*>(0x1);
  EXPECT_EQ(joule_scope_begin(session_, "late", nullptr, &late), JOULE_E_SHUT_DOWN);
  EXPECT_EQ(late, nullptr);
}

TEST_F(CApi, NullArguments) {
  joule_scope* scope = nullptr;
  EXPECT_EQ(joule_session_open(nullptr), JOULE_E_INVALID_ARGUMENT);
  EXPECT_EQ(joule_scope_begin(nullptr, "x", nullptr, &scope), JOULE_E_INVALID_ARGUMENT);
  EXPECT_EQ(joule_scope_begin(session_, nullptr, nullptr, &scope), JOULE_E_INVALID_ARGUMENT);
  EXPECT_EQ(joule_scope_begin(session_, "x", nullptr, nullptr), JOULE_E_INVALID_ARGUMENT);
  EXPECT_EQ(joule_scope_add_units(nullptr, 1), JOULE_E_INVALID_ARGUMENT);
  EXPECT_EQ(joule_scope_end(nullptr, nullptr), JOULE_E_INVALID_ARGUMENT);
  EXPECT_THAT(joule_last_error(), HasSubstr("scope is NULL"));
  EXPECT_EQ(joule_session_reports_to_run(nullptr), -1);
  joule_scope_free(nullptr);
  joule_session_free(nullptr);
  EXPECT_STREQ(joule_status_string(JOULE_E_SHUT_DOWN), "session shut down");
  EXPECT_STREQ(joule_version_string(), JOULE_VERSION_STRING);
}

TEST_F(CApi, UnknownUnitGivesEnergyWithoutCarbon) {
  joule_scope* scope = nullptr;
  ASSERT_EQ(joule_scope_begin(session_, "s", "parsec", &scope), JOULE_OK);
  joule_scope_add_units(scope, 1);
  joule_result r;
  ASSERT_EQ(joule_scope_end(scope, &r), JOULE_OK);
  EXPECT_EQ(r.has_carbon, 0);
  EXPECT_THAT(r.carbon_note, HasSubstr("parsec"));
  joule_scope_free(scope);
}

}  // namespace
