#include "run/hardware.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>

#include "sensors/estimator.hpp"
#include "sensors/nvml_library.hpp"
#include "support/files.hpp"
#include "support/strings.hpp"

namespace joule::run {

namespace {

std::string file_text(const std::filesystem::path& path) {
  return std::string(support::trim(support::read_file(path).value_or("")));
}

// DMI vendors and products that only hypervisors report. Used where
// /proc/cpuinfo has no flags line (ARM); "Amazon EC2" is left out, since
// EC2's bare-metal instances report it too.
std::string dmi_vm_evidence(const std::filesystem::path& dmi) {
  static constexpr std::array<std::string_view, 9> kVirtual = {
      "QEMU", "KVM", "VMware", "VirtualBox", "Xen", "Bochs", "Parallels", "OpenStack", "BHYVE"};
  for (const char* file : {"sys_vendor", "product_name"}) {
    const std::string text = file_text(dmi / file);
    for (auto name : kVirtual) {
      if (support::to_lower(text).find(support::to_lower(std::string(name))) != std::string::npos)
        return fmt::format("DMI {} '{}'", file, text);
    }
    if (text == "Virtual Machine") return fmt::format("DMI {} '{}'", file, text);
  }
  return {};
}

void read_cpu(const HardwareSources& s, carbon::DetectedHardware& hw) {
  const auto cpuinfo_path = s.proc_root / "cpuinfo";
  const auto text = support::read_file(cpuinfo_path);
  if (!text) return;
  const auto cpu = sensors::estimator::parse_cpuinfo(*text);
  hw.cpu_model = cpu.model_name;
  hw.sockets = cpu.sockets;
  hw.logical_cpus = cpu.logical_cpus;
  if (cpu.hypervisor) {
    hw.virtual_machine = true;
    hw.vm_evidence = fmt::format("hypervisor flag in {}", cpuinfo_path.string());
  }
  std::string source;
  hw.threads_per_package = sensors::estimator::package_threads(cpu.model_name, source);
  hw.threads_source = source;
  hw.read_from = cpuinfo_path.string();
}

void read_memory(const HardwareSources& s, carbon::DetectedHardware& hw) {
  const auto path = s.proc_root / "meminfo";
  const auto text = support::read_file(path);
  if (!text) return;
  if (auto kib = sensors::estimator::parse_meminfo_total_kib(*text)) {
    hw.memory_gb = static_cast<double>(*kib) / (1024.0 * 1024.0);
    hw.read_from += ", " + path.string();
  }
}

void read_dmi(const HardwareSources& s, carbon::DetectedHardware& hw) {
  const auto dmi = s.sysfs_root / "class/dmi/id";
  const std::string chassis = file_text(dmi / "chassis_type");
  int type = 0;
  std::from_chars(chassis.data(), chassis.data() + chassis.size(), type);
  hw.chassis = chassis_kind(type);
  if (!hw.virtual_machine) {
    if (std::string evidence = dmi_vm_evidence(dmi); !evidence.empty()) {
      hw.virtual_machine = true;
      hw.vm_evidence = evidence;
    }
  }
  if (!chassis.empty()) hw.read_from += ", " + dmi.string();
}

void read_gpus(const HardwareSources& s, carbon::DetectedHardware& hw) {
  auto opened = sensors::nvml::Library::open(s.nvml_library);
  if (!opened.library) return;
  const auto& nvml = *opened.library;
  unsigned int count = 0;
  if (nvml.device_count(count) != sensors::nvml::kSuccess) return;
  for (unsigned int i = 0; i < count; ++i) {
    sensors::nvml::Device device = nullptr;
    std::string name;
    if (nvml.device_handle(i, device) == sensors::nvml::kSuccess &&
        nvml.device_name(device, name) == sensors::nvml::kSuccess && !name.empty()) {
      hw.gpus.push_back(name);
    }
  }
  hw.read_from += fmt::format(", NVML ({})", nvml.path());
}

}  // namespace

std::string chassis_kind(int type) {
  switch (type) {
    case 8:
    case 9:
    case 10:
    case 14:
    case 31:
    case 32:  // portable, laptop, notebook...
      return "laptop";
    case 3:
    case 4:
    case 5:
    case 6:
    case 7:
    case 13:
    case 15:
    case 16:
    case 35:
    case 36:
      return "desktop";
    case 17:
    case 23:
    case 25:
    case 28:
    case 29:  // main server, rack mount, blade...
      return "server";
    default:
      return "";
  }
}

carbon::DetectedHardware detect_hardware(const HardwareSources& sources) {
  carbon::DetectedHardware hw;
  read_cpu(sources, hw);
  read_memory(sources, hw);
  read_dmi(sources, hw);
  read_gpus(sources, hw);
  if (hw.read_from.starts_with(", ")) hw.read_from.erase(0, 2);
  return hw;
}

}  // namespace joule::run
