#pragma once
// The run record: everything joule knows about one run, as plain data. It is the
// unit every downstream consumer reads (JSON, CSV, ledger, report), so its
// fields carry their unit in the name (`energy_j`, `duration_s`, `power_w`,
// `co2e_g`) and every figure sits beside its provenance or source.
//
// Schema evolution: adding a field is a minor version bump (old readers ignore
// it); renaming, removing or changing the meaning of a field is a major bump,
// and readers reject a major they do not know. Keep changes to this header
// additive. See docs/record.md.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "joule/carbon.hpp"
#include "joule/sensor.hpp"
#include "joule/version.h"

namespace joule::record {

inline constexpr int kSchemaMajor = 1;
inline constexpr int kSchemaMinor = 2;  // 1.1: carbon.data_vintage, job_id, ranks, a phase's rank;
                                        // 1.2: exit.ended_by_signal, a rank's energy,
                                        // carbon.embodied (the devices of M)

struct SchemaVersion {
  int major = kSchemaMajor;
  int minor = kSchemaMinor;
};

enum class RunStatus {
  running,          // begun, not yet finished (or its owner died: see the ledger)
  finished,         // the command ran and exited (whatever its exit status)
  interrupted,      // joule itself stopped before finishing: kill -9, power cut, OOM
  failed_to_start,  // the command could not be started (not found, not executable)
};
std::string_view to_string(RunStatus status);
// "running", "finished", "interrupted", "failed-to-start".
std::optional<RunStatus> parse_run_status(std::string_view text);

struct GpuInfo {
  std::string index;  // as the driver numbers it: "0"
  std::string model;  // "NVIDIA A100-SXM4-80GB"
  std::string uuid;
  std::uint64_t memory_bytes = 0;
  std::string driver_version;
};

struct HostInfo {
  std::string hostname;
  std::string os;      // "Debian GNU/Linux 12 (bookworm)"
  std::string kernel;  // "6.1.0-18-amd64"
  std::string arch;    // "x86_64"
  std::string cpu_model;
  int cpu_logical_cores = 0;
  int cpu_physical_cores = 0;  // 0 when unknown
  int cpu_sockets = 0;         // 0 when unknown
  std::uint64_t memory_bytes = 0;
  std::vector<GpuInfo> gpus;
};

struct GitInfo {
  std::string commit;  // full hash of HEAD
  bool dirty = false;  // uncommitted changes in the work tree
  std::string branch;  // empty when detached
};

// How the command ended. Exactly one of exit_code / signal is set for a
// finished run; neither for a run that is running, interrupted or never started.
struct ExitInfo {
  std::optional<int> exit_code;
  std::optional<int> signal;  // the signal that killed the command
  // "SIGTERM": the first signal joule was sent and passed on to the command
  // while it ran (a Ctrl-C, a scheduler's SIGTERM, a closed terminal's
  // SIGHUP), whether the command died of it or caught it and exited. Empty
  // when none was. Set for an interrupted run too.
  std::string ended_by_signal;
  // Why it failed to start ("No such file or directory"), or why a run that
  // ran is still an error ("conflicting job ids: ...").
  std::string error;
};

// One domain's energy over the run.
struct DomainRecord {
  std::string id;     // "cpu:package-0", "gpu:0"
  std::string label;  // for people
  Component component = Component::other;
  Provenance provenance = Provenance::measured;
  double machine_energy_j = 0;      // the whole domain, every process
  double attributed_energy_j = 0;   // the share attributed to the command
  double mean_power_w = 0;          // machine_energy_j / duration
  double relative_uncertainty = 0;  // relative standard uncertainty, e.g. 0.05
  std::string source;               // sysfs path, library + device, trace file
  bool in_total = false;            // false when another present domain contains it
};

// The run's totals, summed over in_total domains.
struct EnergyTotals {
  double machine_energy_j = 0;
  double attributed_energy_j = 0;
  // Idle baseline power x duration: what the machine would have drawn anyway.
  double idle_energy_j = 0;
  // machine - idle, floored at zero.
  double above_idle_energy_j = 0;
  double relative_uncertainty = 0;
  Provenance provenance = Provenance::measured;  // modelled if any summed domain is
};

struct Attribution {
  // How machine energy was split to the command, in words people can check:
  // "CPU time share of the process tree (utime+stime from /proc)".
  std::string method;
  double cpu_time_s = 0;  // CPU time of the command's process tree
  std::vector<std::string> notes;
};

struct IdleBaseline {
  double power_w = 0;
  double duration_s = 0;  // how long it was measured (0 when taken from config)
  std::string source;     // how it was taken: "measured before the run"
};

struct Phase {
  std::string name;
  std::optional<int> rank;    // the distributed rank that marked it, when one did
  double start_offset_s = 0;  // from the run's start
  double end_offset_s = 0;
  double machine_energy_j = 0;
  double attributed_energy_j = 0;
};

// One rank of a distributed job under one `joule run`, as it announced itself
// on the control channel (`rank=N hello`), and how it ended.
struct RankRecord {
  int rank = 0;
  int pid = 0;  // 0 when the rank did not give it
  std::string job_id;
  bool said_goodbye = false;  // false: it died, or was killed, before its `bye`
  // Its share of the run's attributed energy: its process tree's CPU-time
  // share of the CPU-side domains plus its processes' share of each GPU.
  // The ranks' shares never add up to more than the run's attributed energy;
  // the rest is the launcher's and whatever ran outside the ranks.
  double cpu_time_s = 0;
  double cpu_energy_j = 0;
  double gpu_energy_j = 0;
  double energy_j() const { return cpu_energy_j + gpu_energy_j; }
};

// One term of the carbon arithmetic, for the record's reader to recompute it.
struct CarbonTerm {
  std::string name;  // "energy", "grid intensity", "PUE", "T&D loss", "embodied"
  double value = 0;
  std::string unit;    // "kWh", "gCO2e/kWh", "ratio", "gCO2e"
  std::string source;  // table and row, flag, environment variable
};

// One device of the embodied emissions M = TE x count x (TiR / EL) x RS, with
// the table rows its TE rests on and how the device was decided (detected,
// an option, joule.toml). Schema 1.2.
struct EmbodiedRecord {
  std::string device;                   // "rack server (2 sockets, 256 GB, GPUs apart)"
  std::string provenance = "modelled";  // modelled (a table) | stated (a figure given in kg)
  std::string how_decided;  // "detected: ... (/proc/cpuinfo, NVML)", "gpu = ... (command line)"
  double count = 1;
  carbon::Estimate device_co2e_kg;  // TE of one device
  std::string source;               // how TE was computed, rows cited
  std::vector<std::string> rows;    // "embodied.csv:52 Rack server baseline (...)"
  double time_reserved_h = 0;       // TiR
  double lifetime_h = 0;            // EL
  std::string lifetime_source;
  double share = 1;          // RS
  std::string share_source;  // "VM: 8 vCPUs of a host of 2 sockets x 64 threads ..."
  carbon::Estimate co2e_g;   // this device's M
};

// The record's own copy of the carbon result, so the schema does not move
// when the carbon layer's types do. Ranges are carbon::Estimate, with the unit
// in the name of the member that holds them: `intensity_g_per_kwh`.
struct CarbonRecord {
  std::string location;         // "FR", "US-CAISO", "eu-west-1"
  std::string location_method;  // how it was decided: "--country FR", "JOULE_CLOUD=aws:eu-west-3",
                                // a time-zone guess
  carbon::Estimate intensity_g_per_kwh;
  std::string intensity_source;
  double pue = 1.0;
  std::string pue_source;
  double td_loss_fraction = 0;  // transmission & distribution losses, 0..1
  std::string td_loss_source;
  // The data date of each reference table the figures came from, so a figure
  // can be traced to the edition of its table ("cloud_regions.csv: Google
  // region data 2025 ...; grid_intensity_emaps.csv: ..."). Schema 1.1.
  std::string data_vintage;
  carbon::Estimate operational_co2e_g;
  carbon::Estimate embodied_co2e_g;
  carbon::Estimate total_co2e_g;
  std::vector<CarbonTerm> terms;
  std::vector<EmbodiedRecord> embodied;  // the devices of M; empty: M not included
};

// Software Carbon Intensity: (O + M) / R for one functional unit R.
struct SciRecord {
  std::string unit;  // the functional unit's name
  double units = 0;  // R
  carbon::Estimate co2e_g_per_unit;
};

// Downsampled cumulative energy: points[i].energy_j[k] is the cumulative
// machine energy of domain_ids[k] at points[i].t_s seconds after the start.
struct TimelinePoint {
  double t_s = 0;
  std::vector<double> energy_j;
};
struct Timeline {
  std::vector<std::string> domain_ids;
  std::vector<TimelinePoint> points;
};

struct RunRecord {
  SchemaVersion schema;
  std::string id;  // time-sortable: "20240501-120000-1a2b3c4d" (make_run_id)
  RunStatus status = RunStatus::running;
  std::string started_at;  // ISO 8601 UTC with milliseconds: "2024-05-01T12:00:00.123Z"
  std::string ended_at;    // empty while running; last checkpoint once interrupted
  double duration_s = 0;   // monotonic; up to the last checkpoint while running
  // The writer's: a new record gets JOULE_VERSION_STRING (joule/version.h).
  std::string joule_version;

  HostInfo host;
  // The distributed job this run belongs to (--job, TORCHELASTIC_RUN_ID,
  // SLURM_JOB_ID): one record per node, summed by `joule show --job`.
  std::string job_id;
  std::vector<RankRecord> ranks;     // the job's ranks this run measured
  int world_size = 0;                // the job's ranks on every node, as they said; 0: unknown
  std::vector<std::string> command;  // argv
  std::string cwd;
  std::optional<GitInfo> git;
  ExitInfo exit;

  std::vector<DomainRecord> domains;
  EnergyTotals totals;
  Attribution attribution;
  std::optional<IdleBaseline> idle;
  std::vector<Phase> phases;
  std::vector<carbon::FunctionalUnit> units;  // counted by the command: "token", "sample"
  std::optional<CarbonRecord> carbon;
  std::optional<SciRecord> sci;  // present when units were counted and carbon known

  double sample_interval_s = 0;  // the meter's sampling interval
  double overhead_cpu_s = 0;     // joule's own CPU time (sampler + supervisor)

  std::vector<std::string> warnings;
  std::map<std::string, std::string> tags;  // --tag k=v
  Timeline timeline;
};

// Helpers (run_record.cpp).

// A record's time stamps: "2024-05-01T12:00:00.123Z", UTC to the millisecond.
// support::parse_iso8601 reads them back.
std::string iso8601_utc(std::chrono::system_clock::time_point at);
// "YYYYMMDD-HHMMSS-xxxxxxxx": sorts by start time; 32 random bits keep runs
// started in the same second (several `joule run` at once) apart.
std::string make_run_id(
    std::chrono::system_clock::time_point at = std::chrono::system_clock::now());

// The first functional unit's count, or nullopt.
std::optional<double> total_units(const RunRecord& record);

}  // namespace joule::record
