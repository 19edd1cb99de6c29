#pragma once
// A fully populated run record for tests of the record, report and CLI layers
// (they include it as "record/sample_record.hpp"), so every field of the
// schema is exercised by the round trips.
#include <string>

#include "record/run_record.hpp"

namespace joule::testing {

inline record::RunRecord sample_record(const std::string& id = "20240501-120000-0000abcd") {
  using namespace joule::record;
  RunRecord r;
  r.id = id;
  r.status = RunStatus::finished;
  r.started_at = "2024-05-01T12:00:00.000Z";
  r.ended_at = "2024-05-01T12:01:40.000Z";
  r.duration_s = 100;
  r.joule_version = JOULE_VERSION_STRING;
  r.host = {"node7",
            "Debian GNU/Linux 12 (bookworm)",
            "6.1.0-18-amd64",
            "x86_64",
            "Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz",
            40,
            20,
            1,
            192ull << 30,
            {{"0", "NVIDIA A100-SXM4-80GB", "GPU-1234", 80ull << 30, "535.104"}}};
  r.command = {"python", "train.py", "--epochs", "3"};
  r.cwd = "/home/ada/model";
  r.git = GitInfo{"0123456789abcdef0123456789abcdef01234567", true, "main"};
  r.exit.exit_code = 0;
  r.domains = {
      {"cpu:package-0", "package-0", Component::cpu_package, Provenance::measured, 6000, 4500, 60,
       0.05, "/sys/class/powercap/intel-rapl:0", true},
      {"cpu:core-0", "core-0", Component::cpu_core, Provenance::measured, 4000, 3000, 40, 0.05,
       "/sys/class/powercap/intel-rapl:0:0", false},
      {"cpu:dram-0", "dram-0", Component::dram, Provenance::measured, 1000, 700, 10, 0.1,
       "/sys/class/powercap/intel-rapl:0:1", true},
      {"gpu:0", "NVIDIA A100", Component::gpu, Provenance::measured, 30000, 30000, 300, 0.05,
       "libnvidia-ml.so.1 device 0", true},
  };
  r.totals = {37000, 35200, 15000, 22000, 0.05, Provenance::measured};
  r.attribution = {"CPU time share of the process tree; GPU by per-process utilization",
                   95.5,
                   {"2 short-lived children were not sampled"}};
  r.idle = IdleBaseline{150, 10, "measured before the run"};
  r.phases = {{"warm-up", 0, 10, 2000, 1800}, {"epoch 1", 10, 100, 35000, 33400}};
  r.units = {{"sample", 50000}};
  CarbonRecord c;
  c.location = "FR";
  c.location_method = "--location flag";
  c.intensity_g_per_kwh = {40, 56, 80};
  c.intensity_source = "data/grid_intensity.csv: FR 2023 (Ember)";
  c.pue = 1.2;
  c.pue_source = "--pue flag";
  c.td_loss_fraction = 0.05;
  c.td_loss_source = "data/td_losses.csv: FR";
  c.data_vintage = "grid_intensity_country.csv: Ember yearly data to 2024";
  c.operational_co2e_g = {0.52, 0.73, 1.04};
  c.embodied_co2e_g = {0.1, 0.2, 0.3};
  EmbodiedRecord server;
  server.device = "rack server (2 sockets, 256 GB, GPUs apart)";
  server.how_decided = "detected: Intel Xeon, 2 sockets (/proc/cpuinfo)";
  server.device_co2e_kg = {716.6, 1433.1, 3660};
  server.rows = {"embodied.csv:52 Rack server baseline", "embodied.csv:80 CCF: DRAM above 16 GB"};
  server.time_reserved_h = 1;
  server.lifetime_h = 34560;
  server.share = 0.0625;
  server.share_source = "VM: 8 vCPUs of a host of 2 sockets x 64 threads";
  server.co2e_g = {0.1, 0.2, 0.3};
  c.embodied.push_back(server);
  c.total_co2e_g = {0.62, 0.93, 1.34};
  c.terms = {{"energy", 0.00978, "kWh", "attributed energy"},
             {"grid intensity", 56, "gCO2e/kWh", "data/grid_intensity.csv: FR"}};
  r.carbon = c;
  r.sci = SciRecord{"sample", 50000, {0.62 / 50000, 0.93 / 50000, 1.34 / 50000}};
  r.sample_interval_s = 0.1;
  r.overhead_cpu_s = 0.25;
  r.warnings = {"gpu:0 power limit changed during the run"};
  r.tags = {{"model", "resnet50"}, {"project", "vision"}};
  r.timeline.domain_ids = {"cpu:package-0", "cpu:dram-0", "gpu:0"};
  r.timeline.points = {{0, {0, 0, 0}}, {50, {3000, 500, 15000}}, {100, {6000, 1000, 30000}}};
  return r;
}

}  // namespace joule::testing
