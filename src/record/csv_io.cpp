#include "record/csv_io.hpp"

#include <fmt/format.h>

#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <stdexcept>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace joule::record {
namespace {

// CodeCarbon's EmissionsData fields, in its order (codecarbon/output_methods/
// emissions_data.py). Units: duration s, emissions kg CO2e, emissions_rate
// kg/s, *_power W, *_energy and energy_consumed kWh, ram_total_size GB.
const char* const kCodeCarbonColumns[] = {
    "timestamp",
    "project_name",
    "run_id",
    "experiment_id",
    "duration",
    "emissions",
    "emissions_rate",
    "cpu_utilization_percent",
    "ram_utilization_percent",
    "ram_used_gb",
    "cpu_power",
    "gpu_power",
    "ram_power",
    "cpu_energy",
    "gpu_energy",
    "ram_energy",
    "energy_consumed",
    "water_consumed",
    "country_name",
    "country_iso_code",
    "region",
    "cloud_provider",
    "cloud_region",
    "os",
    "python_version",
    "codecarbon_version",
    "cpu_count",
    "cpu_model",
    "gpu_count",
    "gpu_model",
    "longitude",
    "latitude",
    "ram_total_size",
    "tracking_mode",
    "on_cloud",
    "pue",
    "wue",
};

const char* const kJouleColumns[] = {
    "joule_schema_version",
    "joule_status",
    "joule_started_at",
    "joule_ended_at",
    "joule_command",
    "joule_exit_code",
    "joule_exit_signal",
    "joule_machine_energy_kwh",
    "joule_attributed_energy_kwh",
    "joule_idle_energy_kwh",
    "joule_energy_provenance",
    "joule_energy_relative_uncertainty",
    "joule_emissions_low_kg",
    "joule_emissions_high_kg",
    "joule_intensity_g_per_kwh",
    "joule_intensity_source",
    "joule_location_method",
    "joule_pue_source",
    "joule_functional_unit",
    "joule_units",
    "joule_sci_g_per_unit",
    "joule_sci_low_g_per_unit",
    "joule_sci_high_g_per_unit",
    "joule_overhead_cpu_s",
    "joule_tags",
    "joule_warnings",
};

std::string quote(std::string_view cell) {
  if (cell.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(cell);
  std::string out = "\"";
  for (char c : cell) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string num(double v) {
  return fmt::format("{}", v);
}

double kwh(double joules) {
  return joules / 3.6e6;
}

enum class Bucket { cpu, gpu, ram, none };
Bucket bucket(Component c) {
  switch (c) {
    case Component::cpu_package:
    case Component::cpu_core:
    case Component::cpu_uncore:
    case Component::psys:
      return Bucket::cpu;
    case Component::gpu:
      return Bucket::gpu;
    case Component::dram:
      return Bucket::ram;
    default:
      return Bucket::none;
  }
}

// CodeCarbon's timestamp format, %Y-%m-%dT%H:%M:%S (joule's times are UTC).
std::string codecarbon_time(const std::string& iso) {
  return iso.size() >= 19 ? iso.substr(0, 19) : iso;
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += sep;
    out += item;
  }
  return out;
}

}  // namespace

const std::vector<std::string>& csv_columns() {
  static const std::vector<std::string> columns = [] {
    std::vector<std::string> c(std::begin(kCodeCarbonColumns), std::end(kCodeCarbonColumns));
    c.insert(c.end(), std::begin(kJouleColumns), std::end(kJouleColumns));
    return c;
  }();
  return columns;
}

std::string csv_header() {
  return join(csv_columns(), ",") + "\n";
}

namespace {

// Raise on any change to how csv_row() writes a cell that leaves the header
// as it is (see csv_layout_id in csv_io.hpp).
constexpr int kCsvRowRevision = 1;

// FNV-1a, 64 bits: the id must be the same in every build, which std::hash
// does not promise.
std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

}  // namespace

const std::string& csv_layout_id() {
  static const std::string id =
      fmt::format("r{}-s{}-{:016x}", kCsvRowRevision, kSchemaMajor, fnv1a(csv_header()));
  return id;
}

std::string csv_row(const RunRecord& r) {
  // CodeCarbon's "process" tracking mode charges the tracked processes, which
  // is what joule's attributed energy is; without attribution the machine
  // total is all there is, as in CodeCarbon's "machine" mode.
  const bool attributed = !r.attribution.method.empty();
  auto energy_of = [&](const DomainRecord& d) {
    return attributed ? d.attributed_energy_j : d.machine_energy_j;
  };
  double bucket_j[3] = {0, 0, 0};
  bool bucket_seen[3] = {false, false, false};
  for (const auto& d : r.domains) {
    if (!d.in_total) continue;
    auto b = bucket(d.component);
    if (b == Bucket::none) continue;
    bucket_j[static_cast<int>(b)] += energy_of(d);
    bucket_seen[static_cast<int>(b)] = true;
  }
  const double total_j = attributed ? r.totals.attributed_energy_j : r.totals.machine_energy_j;
  const double duration = r.duration_s;
  auto power = [&](int b) {
    return bucket_seen[b] && duration > 0 ? num(bucket_j[b] / duration) : std::string();
  };
  auto energy = [&](int b) { return bucket_seen[b] ? num(kwh(bucket_j[b])) : std::string(); };

  std::string emissions, emissions_rate, iso, region, pue, low, high, intensity, intensity_source,
      location_method, pue_source;
  if (r.carbon) {
    const auto& c = *r.carbon;
    emissions = num(c.total_co2e_g.central / 1000.0);
    emissions_rate = duration > 0 ? num(c.total_co2e_g.central / 1000.0 / duration) : "";
    region = c.location;
    // "FR" or "US-CAISO": a leading two-letter code is the country.
    if (c.location.size() >= 2 && std::isupper(static_cast<unsigned char>(c.location[0])) &&
        std::isupper(static_cast<unsigned char>(c.location[1])) &&
        (c.location.size() == 2 || c.location[2] == '-')) {
      iso = c.location.substr(0, 2);
    }
    pue = num(c.pue);
    low = num(c.total_co2e_g.low / 1000.0);
    high = num(c.total_co2e_g.high / 1000.0);
    intensity = num(c.intensity_g_per_kwh.central);
    intensity_source = c.intensity_source;
    location_method = c.location_method;
    pue_source = c.pue_source;
  }
  std::string gpu_model;
  if (!r.host.gpus.empty())
    gpu_model = fmt::format("{} x {}", r.host.gpus.size(), r.host.gpus.front().model);
  auto tag = [&](const char* key) {
    auto it = r.tags.find(key);
    return it == r.tags.end() ? std::string() : it->second;
  };
  std::string project = tag("project");
  if (project.empty()) project = "joule";
  std::vector<std::string> tags;
  for (const auto& [k, v] : r.tags) tags.push_back(k + "=" + v);

  std::string unit_name, units, sci, sci_low, sci_high;
  if (!r.units.empty()) {
    unit_name = r.units.front().name;
    units = num(r.units.front().count);
  }
  if (r.sci) {
    unit_name = r.sci->unit;
    sci = num(r.sci->co2e_g_per_unit.central);
    sci_low = num(r.sci->co2e_g_per_unit.low);
    sci_high = num(r.sci->co2e_g_per_unit.high);
  }

  const std::string ended = r.ended_at.empty() ? r.started_at : r.ended_at;
  std::vector<std::string> cells = {
      codecarbon_time(ended),
      project,
      r.id,
      tag("experiment"),
      num(duration),
      emissions,
      emissions_rate,
      "",  // cpu_utilization_percent
      "",  // ram_utilization_percent
      "",  // ram_used_gb
      power(0),
      power(1),
      power(2),
      energy(0),
      energy(1),
      energy(2),
      num(kwh(total_j)),
      "",  // water_consumed
      "",  // country_name
      iso,
      region,
      tag("cloud_provider"),
      tag("cloud_region"),
      r.host.os,
      "",  // python_version
      "",  // codecarbon_version
      r.host.cpu_logical_cores > 0 ? std::to_string(r.host.cpu_logical_cores) : "",
      r.host.cpu_model,
      std::to_string(r.host.gpus.size()),
      gpu_model,
      "",  // longitude
      "",  // latitude
      r.host.memory_bytes > 0
          ? num(static_cast<double>(r.host.memory_bytes) / (1024.0 * 1024 * 1024))
          : "",
      attributed ? "process" : "machine",
      "",  // on_cloud: joule does not know
      pue,
      "",  // wue
      // joule's columns
      fmt::format("{}.{}", r.schema.major, r.schema.minor),
      std::string(to_string(r.status)),
      r.started_at,
      r.ended_at,
      join(r.command, " "),
      r.exit.exit_code ? std::to_string(*r.exit.exit_code) : "",
      r.exit.signal ? std::to_string(*r.exit.signal) : "",
      num(kwh(r.totals.machine_energy_j)),
      num(kwh(r.totals.attributed_energy_j)),
      r.idle ? num(kwh(r.totals.idle_energy_j)) : "",
      std::string(joule::to_string(r.totals.provenance)),
      num(r.totals.relative_uncertainty),
      low,
      high,
      intensity,
      intensity_source,
      location_method,
      pue_source,
      unit_name,
      units,
      sci,
      sci_low,
      sci_high,
      num(r.overhead_cpu_s),
      join(tags, ";"),
      join(r.warnings, " | "),
  };
  std::string line;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i) line += ',';
    line += quote(cells[i]);
  }
  line += '\n';
  return line;
}

CsvAppendResult append_csv(const std::filesystem::path& path, const RunRecord& record) {
  CsvAppendResult result;
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw std::runtime_error(
        fmt::format("cannot open {} for appending: {}", path.string(), std::strerror(errno)));
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }  // also releases the flock
  } closer{fd};
  if (::flock(fd, LOCK_EX) != 0) {
    throw std::runtime_error(
        fmt::format("cannot lock {}: {}", path.string(), std::strerror(errno)));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    throw std::runtime_error(
        fmt::format("cannot stat {}: {}", path.string(), std::strerror(errno)));
  }
  std::string text;
  if (st.st_size == 0) {
    text = csv_header();
    result.wrote_header = true;
  } else {
    // Compare the existing header so a mismatch is reported, not silently mixed.
    std::string first;
    char buffer[4096];
    off_t offset = 0;
    while (first.find('\n') == std::string::npos) {
      ssize_t n = ::pread(fd, buffer, sizeof buffer, offset);
      if (n <= 0) break;
      first.append(buffer, static_cast<std::size_t>(n));
      offset += n;
    }
    auto eol = first.find('\n');
    std::string header = first.substr(0, eol);
    if (!header.empty() && header.back() == '\r') header.pop_back();
    if (header + "\n" != csv_header()) {
      result.warning = fmt::format(
          "{}: its header differs from joule's CSV columns; the row was appended anyway",
          path.string());
    }
    // A previous writer cut off mid-row (disk full) must not glue onto ours.
    char last = '\n';
    if (::pread(fd, &last, 1, st.st_size - 1) == 1 && last != '\n') text = "\n";
  }
  text += csv_row(record);
  std::size_t written = 0;
  while (written < text.size()) {
    ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(
          fmt::format("cannot append to {}: {}", path.string(), std::strerror(errno)));
    }
    written += static_cast<std::size_t>(n);
  }
  return result;
}

}  // namespace joule::record
