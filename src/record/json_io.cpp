#include "record/json_io.hpp"

#include <fmt/format.h>

#include <cstdio>

#include "support/files.hpp"

namespace joule::carbon {

void to_json(nlohmann::json& j, const Estimate& e) {
  j = {{"low", e.low}, {"central", e.central}, {"high", e.high}};
}

void from_json(const nlohmann::json& j, Estimate& e) {
  auto read = [&j](const char* key, double& out) {
    auto it = j.find(key);
    if (it != j.end() && !it->is_null()) out = it->get<double>();
  };
  read("low", e.low);
  read("central", e.central);
  read("high", e.high);
}

}  // namespace joule::carbon

namespace joule::record {
namespace {

using nlohmann::json;

json opt_int(const std::optional<int>& v) {
  return v ? json(*v) : json(nullptr);
}

// Reading: a missing or null field keeps its default, so an older minor reads;
// a field of the wrong type is an error naming the field, so a damaged record
// is not silently half-read.
class Reader {
 public:
  explicit Reader(std::string_view origin) : origin_(origin) {}

  [[noreturn]] void fail(const std::string& where, std::string_view what) const {
    throw RecordError(fmt::format("{}: field '{}': {}", origin_, where, what));
  }

  const json* child(const json& parent, const char* key, const std::string& where) const {
    if (!parent.is_object()) fail(where, "expected an object");
    auto it = parent.find(key);
    if (it == parent.end() || it->is_null()) return nullptr;
    return &*it;
  }

  void read(const json& j, const char* key, const std::string& path, double& out) const {
    if (auto* v = child(j, key, path)) {
      if (!v->is_number()) fail(path + "." + key, "expected a number");
      out = v->get<double>();
    }
  }
  void read(const json& j, const char* key, const std::string& path, int& out) const {
    if (auto* v = child(j, key, path)) {
      if (!v->is_number_integer()) fail(path + "." + key, "expected an integer");
      out = v->get<int>();
    }
  }
  void read(const json& j, const char* key, const std::string& path, std::uint64_t& out) const {
    if (auto* v = child(j, key, path)) {
      if (!v->is_number_integer() && !v->is_number_unsigned()) {
        fail(path + "." + key, "expected a non-negative integer");
      }
      out = v->get<std::uint64_t>();
    }
  }
  void read(const json& j, const char* key, const std::string& path, bool& out) const {
    if (auto* v = child(j, key, path)) {
      if (!v->is_boolean()) fail(path + "." + key, "expected true or false");
      out = v->get<bool>();
    }
  }
  void read(const json& j, const char* key, const std::string& path, std::string& out) const {
    if (auto* v = child(j, key, path)) {
      if (!v->is_string()) fail(path + "." + key, "expected a string");
      out = v->get<std::string>();
    }
  }
  void read(const json& j, const char* key, const std::string& path,
            std::optional<int>& out) const {
    if (auto* v = child(j, key, path)) {
      if (!v->is_number_integer()) fail(path + "." + key, "expected an integer or null");
      out = v->get<int>();
    }
  }
  void read(const json& j, const char* key, const std::string& path,
            std::vector<std::string>& out) const {
    if (auto* v = child(j, key, path)) {
      if (!v->is_array()) fail(path + "." + key, "expected an array of strings");
      out.clear();
      for (const auto& item : *v) {
        if (!item.is_string()) fail(path + "." + key, "expected an array of strings");
        out.push_back(item.get<std::string>());
      }
    }
  }
  void read(const json& j, const char* key, const std::string& path, carbon::Estimate& out) const {
    if (auto* v = child(j, key, path)) {
      // Checked here first so that an error names the bound's field.
      const std::string p = path + "." + key;
      for (const char* bound : {"low", "central", "high"}) {
        if (auto* b = child(*v, bound, p); b && !b->is_number()) {
          fail(p + "." + bound, "expected a number");
        }
      }
      v->get_to(out);
    }
  }
  // Calls f(element, element_path) for each element of an array field.
  template <typename F>
  void each(const json& j, const char* key, const std::string& path, F&& f) const {
    if (auto* v = child(j, key, path)) {
      if (!v->is_array()) fail(path + "." + key, "expected an array");
      for (std::size_t i = 0; i < v->size(); ++i) {
        f((*v)[i], fmt::format("{}.{}[{}]", path, key, i));
      }
    }
  }

 private:
  std::string origin_;
};

}  // namespace

std::string to_string(SchemaVersion version) {
  return fmt::format("{}.{}", version.major, version.minor);
}

std::optional<SchemaVersion> parse_schema_version(std::string_view text) {
  int major = 0, minor = 0, consumed = 0;
  std::string copy(text);
  if (std::sscanf(copy.c_str(), "%d.%d%n", &major, &minor, &consumed) != 2 ||
      static_cast<std::size_t>(consumed) != copy.size() || major < 0 || minor < 0) {
    return std::nullopt;
  }
  return SchemaVersion{major, minor};
}

Component parse_component(std::string_view text) {
  for (auto c :
       {Component::cpu_package, Component::cpu_core, Component::cpu_uncore, Component::dram,
        Component::gpu, Component::psys, Component::system, Component::battery}) {
    if (joule::to_string(c) == text) return c;
  }
  return Component::other;
}

Provenance parse_provenance(std::string_view text) {
  return text == "measured" ? Provenance::measured : Provenance::modelled;
}

namespace {

json host_json(const HostInfo& host) {
  json gpus = json::array();
  for (const auto& g : host.gpus) {
    gpus.push_back({{"index", g.index},
                    {"model", g.model},
                    {"uuid", g.uuid},
                    {"memory_bytes", g.memory_bytes},
                    {"driver_version", g.driver_version}});
  }
  return {{"hostname", host.hostname},
          {"os", host.os},
          {"kernel", host.kernel},
          {"arch", host.arch},
          {"cpu_model", host.cpu_model},
          {"cpu_logical_cores", host.cpu_logical_cores},
          {"cpu_physical_cores", host.cpu_physical_cores},
          {"cpu_sockets", host.cpu_sockets},
          {"memory_bytes", host.memory_bytes},
          {"gpus", gpus}};
}

json domains_json(const std::vector<DomainRecord>& records) {
  json domains = json::array();
  for (const auto& d : records) {
    domains.push_back({{"id", d.id},
                       {"label", d.label},
                       {"component", std::string(joule::to_string(d.component))},
                       {"provenance", std::string(joule::to_string(d.provenance))},
                       {"machine_energy_j", d.machine_energy_j},
                       {"attributed_energy_j", d.attributed_energy_j},
                       {"mean_power_w", d.mean_power_w},
                       {"relative_uncertainty", d.relative_uncertainty},
                       {"source", d.source},
                       {"in_total", d.in_total}});
  }
  return domains;
}

void put_energy(json& j, const RunRecord& r) {
  j["domains"] = domains_json(r.domains);
  j["totals"] = {{"machine_energy_j", r.totals.machine_energy_j},
                 {"attributed_energy_j", r.totals.attributed_energy_j},
                 {"idle_energy_j", r.totals.idle_energy_j},
                 {"above_idle_energy_j", r.totals.above_idle_energy_j},
                 {"relative_uncertainty", r.totals.relative_uncertainty},
                 {"provenance", std::string(joule::to_string(r.totals.provenance))}};
  j["attribution"] = {{"method", r.attribution.method},
                      {"cpu_time_s", r.attribution.cpu_time_s},
                      {"notes", r.attribution.notes}};
  j["idle"] = r.idle ? json{{"power_w", r.idle->power_w},
                            {"duration_s", r.idle->duration_s},
                            {"source", r.idle->source}}
                     : json(nullptr);
}

void put_phases_and_units(json& j, const RunRecord& r) {
  json phases = json::array();
  for (const auto& p : r.phases) {
    phases.push_back({{"name", p.name},
                      {"rank", opt_int(p.rank)},
                      {"start_offset_s", p.start_offset_s},
                      {"end_offset_s", p.end_offset_s},
                      {"machine_energy_j", p.machine_energy_j},
                      {"attributed_energy_j", p.attributed_energy_j}});
  }
  j["phases"] = phases;
  json ranks = json::array();
  for (const auto& k : r.ranks) {
    ranks.push_back({{"rank", k.rank},
                     {"pid", k.pid},
                     {"job_id", k.job_id},
                     {"said_goodbye", k.said_goodbye},
                     {"cpu_time_s", k.cpu_time_s},
                     {"cpu_energy_j", k.cpu_energy_j},
                     {"gpu_energy_j", k.gpu_energy_j},
                     {"energy_j", k.energy_j()}});
  }
  j["ranks"] = ranks;
  j["world_size"] = r.world_size;
  json units = json::array();
  for (const auto& u : r.units) units.push_back({{"name", u.name}, {"count", u.count}});
  j["units"] = units;
}

json embodied_json(const std::vector<EmbodiedRecord>& devices) {
  json out = json::array();
  for (const auto& e : devices) {
    out.push_back({{"device", e.device},
                   {"provenance", e.provenance},
                   {"how_decided", e.how_decided},
                   {"count", e.count},
                   {"device_co2e_kg", json(e.device_co2e_kg)},
                   {"source", e.source},
                   {"rows", e.rows},
                   {"time_reserved_h", e.time_reserved_h},
                   {"lifetime_h", e.lifetime_h},
                   {"lifetime_source", e.lifetime_source},
                   {"share", e.share},
                   {"share_source", e.share_source},
                   {"co2e_g", json(e.co2e_g)}});
  }
  return out;
}

json carbon_json(const CarbonRecord& c) {
  json terms = json::array();
  for (const auto& t : c.terms) {
    terms.push_back({{"name", t.name}, {"value", t.value}, {"unit", t.unit}, {"source", t.source}});
  }
  return {{"location", c.location},
          {"location_method", c.location_method},
          {"intensity_g_per_kwh", json(c.intensity_g_per_kwh)},
          {"intensity_source", c.intensity_source},
          {"pue", c.pue},
          {"pue_source", c.pue_source},
          {"td_loss_fraction", c.td_loss_fraction},
          {"td_loss_source", c.td_loss_source},
          {"data_vintage", c.data_vintage},
          {"operational_co2e_g", json(c.operational_co2e_g)},
          {"embodied_co2e_g", json(c.embodied_co2e_g)},
          {"total_co2e_g", json(c.total_co2e_g)},
          {"terms", terms},
          {"embodied", embodied_json(c.embodied)}};
}

json timeline_json(const Timeline& timeline) {
  json points = json::array();
  for (const auto& p : timeline.points) {
    points.push_back({{"t_s", p.t_s}, {"energy_j", p.energy_j}});
  }
  return {{"domain_ids", timeline.domain_ids}, {"points", points}};
}

}  // namespace

json to_json(const RunRecord& r) {
  json j;
  j["schema_version"] = to_string(r.schema);
  j["id"] = r.id;
  j["status"] = std::string(to_string(r.status));
  j["started_at"] = r.started_at;
  j["ended_at"] = r.ended_at;
  j["duration_s"] = r.duration_s;
  j["joule_version"] = r.joule_version;
  j["host"] = host_json(r.host);
  j["job_id"] = r.job_id.empty() ? json(nullptr) : json(r.job_id);
  j["command"] = r.command;
  j["cwd"] = r.cwd;
  j["git"] =
      r.git ? json{{"commit", r.git->commit}, {"dirty", r.git->dirty}, {"branch", r.git->branch}}
            : json(nullptr);
  j["exit"] = {{"exit_code", opt_int(r.exit.exit_code)},
               {"signal", opt_int(r.exit.signal)},
               {"ended_by_signal",
                r.exit.ended_by_signal.empty() ? json(nullptr) : json(r.exit.ended_by_signal)},
               {"error", r.exit.error}};
  put_energy(j, r);
  put_phases_and_units(j, r);
  j["carbon"] = r.carbon ? carbon_json(*r.carbon) : json(nullptr);
  j["sci"] = r.sci ? json{{"unit", r.sci->unit},
                          {"units", r.sci->units},
                          {"co2e_g_per_unit", json(r.sci->co2e_g_per_unit)}}
                   : json(nullptr);
  j["sample_interval_s"] = r.sample_interval_s;
  j["overhead_cpu_s"] = r.overhead_cpu_s;
  j["warnings"] = r.warnings;
  j["tags"] = r.tags;  // std::map: keys sorted, so the output is canonical
  j["timeline"] = timeline_json(r.timeline);
  return j;
}

namespace {

// The schema version, checked before anything else is read: a record of
// another major version is refused as a whole.
SchemaVersion read_schema_version(const json& j, std::string_view origin) {
  if (!j.is_object())
    throw RecordError(fmt::format("{}: not a joule run record (expected a JSON object)", origin));
  auto version_field = j.find("schema_version");
  if (version_field == j.end() || !version_field->is_string()) {
    throw RecordError(
        fmt::format("{}: not a joule run record (no \"schema_version\" string)", origin));
  }
  auto version = parse_schema_version(version_field->get<std::string>());
  if (!version) {
    throw RecordError(fmt::format("{}: malformed schema_version \"{}\" (expected MAJOR.MINOR)",
                                  origin, version_field->get<std::string>()));
  }
  if (version->major != kSchemaMajor) {
    throw RecordError(fmt::format(
        "{}: run record schema version {} is not readable by this joule, which reads major "
        "version {} (schema {}.{}); {}",
        origin, to_string(*version), kSchemaMajor, kSchemaMajor, kSchemaMinor,
        version->major > kSchemaMajor ? "upgrade joule to read it"
                                      : "it was written by an older, incompatible joule"));
  }
  return *version;
}

const std::string kRoot = "$";

// id, status, start and end, duration, the joule that wrote it.
void read_run_identity(const Reader& in, const json& j, RunRecord& r) {
  in.read(j, "id", kRoot, r.id);
  std::string status = "running";
  in.read(j, "status", kRoot, status);
  auto parsed_status = parse_run_status(status);
  if (!parsed_status) in.fail("status", fmt::format("unknown status \"{}\"", status));
  r.status = *parsed_status;
  in.read(j, "started_at", kRoot, r.started_at);
  in.read(j, "ended_at", kRoot, r.ended_at);
  in.read(j, "duration_s", kRoot, r.duration_s);
  in.read(j, "joule_version", kRoot, r.joule_version);
  in.read(j, "job_id", kRoot, r.job_id);
}

void read_host(const Reader& in, const json& j, HostInfo& host) {
  const json* h = in.child(j, "host", kRoot);
  if (!h) return;
  const std::string p = "host";
  in.read(*h, "hostname", p, host.hostname);
  in.read(*h, "os", p, host.os);
  in.read(*h, "kernel", p, host.kernel);
  in.read(*h, "arch", p, host.arch);
  in.read(*h, "cpu_model", p, host.cpu_model);
  in.read(*h, "cpu_logical_cores", p, host.cpu_logical_cores);
  in.read(*h, "cpu_physical_cores", p, host.cpu_physical_cores);
  in.read(*h, "cpu_sockets", p, host.cpu_sockets);
  in.read(*h, "memory_bytes", p, host.memory_bytes);
  in.each(*h, "gpus", p, [&](const json& g, const std::string& gp) {
    GpuInfo gpu;
    in.read(g, "index", gp, gpu.index);
    in.read(g, "model", gp, gpu.model);
    in.read(g, "uuid", gp, gpu.uuid);
    in.read(g, "memory_bytes", gp, gpu.memory_bytes);
    in.read(g, "driver_version", gp, gpu.driver_version);
    host.gpus.push_back(std::move(gpu));
  });
}

// What ran: the command line, where, at which commit, and how it ended.
void read_command(const Reader& in, const json& j, RunRecord& r) {
  in.read(j, "command", kRoot, r.command);
  in.read(j, "cwd", kRoot, r.cwd);
  if (auto* g = in.child(j, "git", kRoot)) {
    GitInfo git;
    in.read(*g, "commit", "git", git.commit);
    in.read(*g, "dirty", "git", git.dirty);
    in.read(*g, "branch", "git", git.branch);
    r.git = git;
  }
  if (auto* e = in.child(j, "exit", kRoot)) {
    in.read(*e, "exit_code", "exit", r.exit.exit_code);
    in.read(*e, "signal", "exit", r.exit.signal);
    in.read(*e, "ended_by_signal", "exit", r.exit.ended_by_signal);
    in.read(*e, "error", "exit", r.exit.error);
  }
}

void read_domains(const Reader& in, const json& j, std::vector<DomainRecord>& domains) {
  in.each(j, "domains", kRoot, [&](const json& d, const std::string& p) {
    DomainRecord dom;
    std::string component = "other", provenance = "modelled";
    in.read(d, "id", p, dom.id);
    in.read(d, "label", p, dom.label);
    in.read(d, "component", p, component);
    in.read(d, "provenance", p, provenance);
    dom.component = parse_component(component);
    dom.provenance = parse_provenance(provenance);
    in.read(d, "machine_energy_j", p, dom.machine_energy_j);
    in.read(d, "attributed_energy_j", p, dom.attributed_energy_j);
    in.read(d, "mean_power_w", p, dom.mean_power_w);
    in.read(d, "relative_uncertainty", p, dom.relative_uncertainty);
    in.read(d, "source", p, dom.source);
    in.read(d, "in_total", p, dom.in_total);
    domains.push_back(std::move(dom));
  });
}

// Totals, how they were attributed to the command, and the idle baseline.
void read_energy(const Reader& in, const json& j, RunRecord& r) {
  if (auto* t = in.child(j, "totals", kRoot)) {
    const std::string p = "totals";
    in.read(*t, "machine_energy_j", p, r.totals.machine_energy_j);
    in.read(*t, "attributed_energy_j", p, r.totals.attributed_energy_j);
    in.read(*t, "idle_energy_j", p, r.totals.idle_energy_j);
    in.read(*t, "above_idle_energy_j", p, r.totals.above_idle_energy_j);
    in.read(*t, "relative_uncertainty", p, r.totals.relative_uncertainty);
    std::string provenance = "measured";
    in.read(*t, "provenance", p, provenance);
    r.totals.provenance = parse_provenance(provenance);
  }
  if (auto* a = in.child(j, "attribution", kRoot)) {
    in.read(*a, "method", "attribution", r.attribution.method);
    in.read(*a, "cpu_time_s", "attribution", r.attribution.cpu_time_s);
    in.read(*a, "notes", "attribution", r.attribution.notes);
  }
  if (auto* i = in.child(j, "idle", kRoot)) {
    IdleBaseline idle;
    in.read(*i, "power_w", "idle", idle.power_w);
    in.read(*i, "duration_s", "idle", idle.duration_s);
    in.read(*i, "source", "idle", idle.source);
    r.idle = idle;
  }
}

void read_phases_and_units(const Reader& in, const json& j, RunRecord& r) {
  in.each(j, "phases", kRoot, [&](const json& ph, const std::string& p) {
    Phase phase;
    in.read(ph, "name", p, phase.name);
    if (in.child(ph, "rank", p)) {
      int rank = 0;
      in.read(ph, "rank", p, rank);
      phase.rank = rank;
    }
    in.read(ph, "start_offset_s", p, phase.start_offset_s);
    in.read(ph, "end_offset_s", p, phase.end_offset_s);
    in.read(ph, "machine_energy_j", p, phase.machine_energy_j);
    in.read(ph, "attributed_energy_j", p, phase.attributed_energy_j);
    r.phases.push_back(std::move(phase));
  });
  in.each(j, "ranks", kRoot, [&](const json& k, const std::string& p) {
    RankRecord rank;
    in.read(k, "rank", p, rank.rank);
    in.read(k, "pid", p, rank.pid);
    in.read(k, "job_id", p, rank.job_id);
    in.read(k, "said_goodbye", p, rank.said_goodbye);
    in.read(k, "cpu_time_s", p, rank.cpu_time_s);
    in.read(k, "cpu_energy_j", p, rank.cpu_energy_j);
    in.read(k, "gpu_energy_j", p, rank.gpu_energy_j);
    r.ranks.push_back(std::move(rank));
  });
  in.read(j, "world_size", kRoot, r.world_size);
  in.each(j, "units", kRoot, [&](const json& u, const std::string& p) {
    carbon::FunctionalUnit unit{.name = "", .count = 0};
    in.read(u, "name", p, unit.name);
    in.read(u, "count", p, unit.count);
    r.units.push_back(std::move(unit));
  });
}

std::optional<CarbonRecord> read_carbon(const Reader& in, const json& j) {
  const json* c = in.child(j, "carbon", kRoot);
  if (!c) return std::nullopt;
  CarbonRecord carbon;
  const std::string p = "carbon";
  in.read(*c, "location", p, carbon.location);
  in.read(*c, "location_method", p, carbon.location_method);
  in.read(*c, "intensity_g_per_kwh", p, carbon.intensity_g_per_kwh);
  in.read(*c, "intensity_source", p, carbon.intensity_source);
  in.read(*c, "pue", p, carbon.pue);
  in.read(*c, "pue_source", p, carbon.pue_source);
  in.read(*c, "td_loss_fraction", p, carbon.td_loss_fraction);
  in.read(*c, "td_loss_source", p, carbon.td_loss_source);
  in.read(*c, "data_vintage", p, carbon.data_vintage);
  in.read(*c, "operational_co2e_g", p, carbon.operational_co2e_g);
  in.read(*c, "embodied_co2e_g", p, carbon.embodied_co2e_g);
  in.read(*c, "total_co2e_g", p, carbon.total_co2e_g);
  in.each(*c, "terms", p, [&](const json& t, const std::string& tp) {
    CarbonTerm term;
    in.read(t, "name", tp, term.name);
    in.read(t, "value", tp, term.value);
    in.read(t, "unit", tp, term.unit);
    in.read(t, "source", tp, term.source);
    carbon.terms.push_back(std::move(term));
  });
  in.each(*c, "embodied", p, [&](const json& d, const std::string& dp) {
    EmbodiedRecord e;
    in.read(d, "device", dp, e.device);
    in.read(d, "provenance", dp, e.provenance);
    in.read(d, "how_decided", dp, e.how_decided);
    in.read(d, "count", dp, e.count);
    in.read(d, "device_co2e_kg", dp, e.device_co2e_kg);
    in.read(d, "source", dp, e.source);
    in.read(d, "rows", dp, e.rows);
    in.read(d, "time_reserved_h", dp, e.time_reserved_h);
    in.read(d, "lifetime_h", dp, e.lifetime_h);
    in.read(d, "lifetime_source", dp, e.lifetime_source);
    in.read(d, "share", dp, e.share);
    in.read(d, "share_source", dp, e.share_source);
    in.read(d, "co2e_g", dp, e.co2e_g);
    carbon.embodied.push_back(std::move(e));
  });
  return carbon;
}

std::optional<SciRecord> read_sci(const Reader& in, const json& j) {
  const json* s = in.child(j, "sci", kRoot);
  if (!s) return std::nullopt;
  SciRecord sci;
  in.read(*s, "unit", "sci", sci.unit);
  in.read(*s, "units", "sci", sci.units);
  in.read(*s, "co2e_g_per_unit", "sci", sci.co2e_g_per_unit);
  return sci;
}

// Sampling interval, joule's own overhead, warnings and tags.
void read_run_notes(const Reader& in, const json& j, RunRecord& r) {
  in.read(j, "sample_interval_s", kRoot, r.sample_interval_s);
  in.read(j, "overhead_cpu_s", kRoot, r.overhead_cpu_s);
  in.read(j, "warnings", kRoot, r.warnings);
  if (auto* t = in.child(j, "tags", kRoot)) {
    if (!t->is_object()) in.fail("tags", "expected an object of strings");
    for (const auto& [k, v] : t->items()) {
      if (!v.is_string()) in.fail("tags." + k, "expected a string");
      r.tags[k] = v.get<std::string>();
    }
  }
}

void read_timeline(const Reader& in, const json& j, Timeline& timeline) {
  const json* tl = in.child(j, "timeline", kRoot);
  if (!tl) return;
  in.read(*tl, "domain_ids", "timeline", timeline.domain_ids);
  in.each(*tl, "points", "timeline", [&](const json& pt, const std::string& p) {
    TimelinePoint point;
    in.read(pt, "t_s", p, point.t_s);
    if (auto* e = in.child(pt, "energy_j", p)) {
      if (!e->is_array()) in.fail(p + ".energy_j", "expected an array of numbers");
      for (const auto& x : *e) {
        if (!x.is_number()) in.fail(p + ".energy_j", "expected an array of numbers");
        point.energy_j.push_back(x.get<double>());
      }
    }
    timeline.points.push_back(std::move(point));
  });
}

}  // namespace

// Sections are read in the order they are written, so the first problem in
// the file is the one reported.
RunRecord from_json(const json& j, std::string_view origin) {
  RunRecord r;
  r.schema = read_schema_version(j, origin);
  const Reader in(origin);
  read_run_identity(in, j, r);
  read_host(in, j, r.host);
  read_command(in, j, r);
  read_domains(in, j, r.domains);
  read_energy(in, j, r);
  read_phases_and_units(in, j, r);
  r.carbon = read_carbon(in, j);
  r.sci = read_sci(in, j);
  read_run_notes(in, j, r);
  read_timeline(in, j, r.timeline);
  return r;
}

std::string to_json_text(const RunRecord& record) {
  return to_json(record).dump(2) + "\n";
}

RunRecord parse_json_text(std::string_view text, std::string_view origin) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {  // parse_error, and out_of_range for a number like 1e99999
    throw RecordError(fmt::format("{}: not valid JSON: {}", origin, e.what()));
  }
  return from_json(j, origin);
}

void write_json_file(const std::filesystem::path& path, const RunRecord& record) {
  support::write_file_atomically(path, to_json_text(record));
}

RunRecord read_json_file(const std::filesystem::path& path) {
  auto text = support::read_file(path);
  if (!text) throw RecordError(fmt::format("{}: cannot open", path.string()));
  return parse_json_text(*text, path.string());
}

}  // namespace joule::record
