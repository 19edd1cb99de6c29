// `joule run` carries the embodied emissions M of the hardware it ran on:
// detected from a fixture /proc, DMI tree and the fake NVML, or as stated
// with --embodied/--gpu/--gpus or joule.toml [hardware]; every device with
// the embodied.csv rows it rests on.
#include "run_support.hpp"

using namespace joule::testing;

namespace {

class RunEmbodied : public RunFixture {
 protected:
  void SetUp() override {
    RunFixture::SetUp();
    std::filesystem::create_directories(dir_ / "sys/class/dmi/id");
    std::ofstream(dir_ / "sys/class/dmi/id/chassis_type") << "23\n";  // rack mount
    std::ofstream(dir_ / "sys/class/dmi/id/sys_vendor") << "Dell Inc.\n";
  }

  std::map<std::string, std::string> env(const std::string& gpus = "") const {
    auto e = RunFixture::env();
    e["JOULE_SYSFS_ROOT"] = (dir_ / "sys").string();
    e["JOULE_NVML_LIBRARY"] = FAKE_NVML_PATH;
    e["FAKE_NVML_NAMES"] = gpus;
    if (gpus.empty()) e["JOULE_NVML_LIBRARY"] = (dir_ / "no-nvml.so").string();
    return e;
  }

  // Runs `true` under joule with `options`; the record's carbon section.
  nlohmann::json carbon(std::vector<std::string> options, const std::string& gpus = "") {
    std::vector<std::string> args = {"run", "--no-ledger", "-q", "--json", path("r.json").string()};
    args.insert(args.end(), options.begin(), options.end());
    args.insert(args.end(), {"--", "true"});
    auto r = run_joule(args, env(gpus));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    record_ = read_json("r.json");
    return record_["carbon"];
  }

  static std::string rows_of(const nlohmann::json& device) {
    std::string out;
    for (const auto& r : device["rows"]) out += r.get<std::string>() + "\n";
    return out;
  }

  nlohmann::json record_;
};

}  // namespace

TEST_F(RunEmbodied, DetectedServerAndGpusGiveAModelledM) {
  auto c = carbon({}, "NVIDIA A100-SXM4-40GB,NVIDIA A100-SXM4-40GB");
  EXPECT_EQ(record_["schema_version"], "1.2");
  EXPECT_GT(c["embodied_co2e_g"]["central"].get<double>(), 0);
  ASSERT_EQ(c["embodied"].size(), 2u) << c.dump(2);
  const auto& server = c["embodied"][0];
  EXPECT_EQ(server["provenance"], "modelled");
  EXPECT_NE(server["device"].get<std::string>().find("rack server"), std::string::npos);
  EXPECT_NE(rows_of(server).find("embodied.csv (built in):"), std::string::npos);
  EXPECT_NE(rows_of(server).find("Rack server baseline"), std::string::npos);
  EXPECT_NE(server["how_decided"].get<std::string>().find("Xeon(R) Platinum 8375C"),
            std::string::npos);
  EXPECT_EQ(server["share"], 1.0);
  EXPECT_GT(server["co2e_g"]["central"].get<double>(), 0);
  EXPECT_LT(server["co2e_g"]["low"].get<double>(), server["co2e_g"]["high"].get<double>());
  EXPECT_GT(server["lifetime_h"].get<double>(), 0);

  const auto& gpu = c["embodied"][1];
  EXPECT_EQ(gpu["count"], 2.0);
  EXPECT_EQ(gpu["device"], "NVIDIA A100 SXM4 40GB/80GB");
  EXPECT_NE(rows_of(gpu).find("A100 SXM4"), std::string::npos) << rows_of(gpu);
  EXPECT_NE(gpu["how_decided"].get<std::string>().find("NVML"), std::string::npos);
  // No hint that M is missing when it is there.
  for (const auto& w : record_["warnings"]) {
    EXPECT_EQ(w.get<std::string>().find("not included"), std::string::npos) << w;
  }
}

TEST_F(RunEmbodied, ShowPrintsTheDevicesAndTheirRows) {
  auto e = env();
  auto r = run_joule({"run", "-q", "--json", path("r.json").string(), "--", "true"}, e);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto show = run_joule({"show", read_json("r.json")["id"].get<std::string>()}, e);
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("embodied    1 x rack server"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("row data/embodied.csv (built in):"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("the whole machine (not a VM)"), std::string::npos) << show.out;
}

TEST_F(RunEmbodied, EmbodiedNoneLeavesMOutAndSaysSo) {
  auto c = carbon({"--embodied", "none"}, "NVIDIA A100-SXM4-40GB");
  EXPECT_TRUE(c["embodied"].empty());
  EXPECT_EQ(c["embodied_co2e_g"]["central"], 0.0);
  const std::string warnings = record_["warnings"].dump();
  EXPECT_NE(warnings.find("left out: embodied = none (command line)"), std::string::npos)
      << warnings;
  EXPECT_EQ(warnings.find("not included"), std::string::npos) << warnings;
}

TEST_F(RunEmbodied, StatedHardwareReplacesWhatIsDetected) {
  auto c = carbon({"--embodied", "1312kg", "--gpu", "H100 SXM5", "--gpus", "8", "--lifetime", "5"},
                  "NVIDIA A100-SXM4-40GB");
  ASSERT_EQ(c["embodied"].size(), 2u) << c.dump(2);
  EXPECT_EQ(c["embodied"][0]["provenance"], "stated");
  EXPECT_EQ(c["embodied"][0]["device_co2e_kg"]["central"], 1312.0);
  EXPECT_EQ(c["embodied"][1]["device"], "NVIDIA H100 SXM5");
  EXPECT_EQ(c["embodied"][1]["count"], 8.0);
  EXPECT_NEAR(c["embodied"][1]["lifetime_h"].get<double>(), 5 * 8760, 1e-9);
  // --gpus alone counts GPUs of the detected model.
  c = carbon({"--gpus", "1"}, "NVIDIA A100-SXM4-40GB,NVIDIA A100-SXM4-40GB");
  EXPECT_EQ(c["embodied"][1]["count"], 1.0);
}

TEST_F(RunEmbodied, AVmReservesItsShareOfTheHost) {
  std::ofstream cpuinfo(path("proc/cpuinfo"));
  for (int i = 0; i < 8; ++i) {
    cpuinfo << "processor\t: " << i
            << "\nmodel name\t: Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz\n"
               "physical id\t: 0\nflags\t\t: fpu vme hypervisor avx\n\n";
  }
  cpuinfo.close();
  auto c = carbon({});
  ASSERT_EQ(c["embodied"].size(), 1u) << c.dump(2);
  const auto& host = c["embodied"][0];
  // 8 vCPUs of 2 sockets x 64 threads (cpu_power.csv).
  EXPECT_DOUBLE_EQ(host["share"].get<double>(), 8.0 / 128);
  EXPECT_NE(host["share_source"].get<std::string>().find("VM: 8 vCPUs"), std::string::npos);
  EXPECT_NE(host["how_decided"].get<std::string>().find("hypervisor flag"), std::string::npos);
  EXPECT_NE(record_["warnings"].dump().find("this machine is a VM"), std::string::npos);
}

TEST_F(RunEmbodied, DmiNamesAVmWhereCpuinfoHasNoFlags) {
  std::ofstream(path("sys/class/dmi/id/sys_vendor")) << "QEMU\n";
  auto c = carbon({});
  EXPECT_NE(c["embodied"][0]["how_decided"].get<std::string>().find("DMI sys_vendor 'QEMU'"),
            std::string::npos)
      << c.dump(2);
  // Two vCPUs of a 128-thread host.
  EXPECT_DOUBLE_EQ(c["embodied"][0]["share"].get<double>(), 2.0 / 128);
}

TEST_F(RunEmbodied, AnAmbiguousGpuIsRefusedBeforeTheCommandRuns) {
  auto r = run_joule(
      {"run", "--no-ledger", "--gpu", "A100", "--", "sh", "-c", "touch " + path("ran").string()},
      env());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("ambiguous"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("NVIDIA A100 PCIe 40GB"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(path("ran")));
}

TEST_F(RunEmbodied, ADetectedFamilyNameIsModelledAcrossItsVariants) {
  auto c = carbon({}, "NVIDIA A100");
  const auto& gpu = c["embodied"][1];
  EXPECT_NE(gpu["device"].get<std::string>().find("one of"), std::string::npos) << gpu.dump(2);
  EXPECT_NE(gpu["source"].get<std::string>().find("names no single variant"), std::string::npos);
  EXPECT_GE(gpu["rows"].size(), 2u);
  EXPECT_LT(gpu["device_co2e_kg"]["low"].get<double>(),
            gpu["device_co2e_kg"]["high"].get<double>());
}

TEST_F(RunEmbodied, JouleTomlHardwareTable) {
  std::ofstream(path("joule.toml")) << "country = \"FR\"\n[hardware]\nembodied = \"server\"\n"
                                       "gpu = \"H100 SXM5\"\ngpus = 4\n";
  auto c = carbon({"--config", path("joule.toml").string()}, "NVIDIA A100-SXM4-40GB");
  ASSERT_EQ(c["embodied"].size(), 2u) << c.dump(2);
  EXPECT_NE(c["embodied"][0]["how_decided"].get<std::string>().find("[hardware]"),
            std::string::npos);
  EXPECT_EQ(c["embodied"][1]["device"], "NVIDIA H100 SXM5");
  EXPECT_EQ(c["embodied"][1]["count"], 4.0);
  // The command line wins over the file.
  c = carbon({"--config", path("joule.toml").string(), "--gpus", "2"});
  EXPECT_EQ(c["embodied"][1]["count"], 2.0);

  // A typo is an error naming the file and line (the run goes on, without
  // carbon, as for any broken joule.toml).
  std::ofstream(path("joule.toml")) << "[hardware]\ngpu_count = 4\n";
  carbon({"--config", path("joule.toml").string()});
  const std::string warnings = record_["warnings"].dump();
  EXPECT_NE(warnings.find("joule.toml:2:13: unknown key 'gpu_count' in [hardware]"),
            std::string::npos)
      << warnings;
}
