#pragma once
// Predicting a training run's total from its first phases, in the manner of
// carbontracker: once `after` phases (epochs) have ended, the total for
// `expected` phases is the energy so far plus the mean phase energy times the
// phases still to come. Printed once, on stderr.
#include <optional>
#include <string>

#include "joule/units.hpp"

namespace joule::run {

struct Prediction {
  int completed = 0;
  int expected = 0;
  Joules total;  // the command's (attributed) energy, predicted for `expected` phases
  Seconds duration;
};

class Predictor {
 public:
  Predictor(int expected, int after) : expected_(expected), after_(after < 1 ? 1 : after) {}
  // A phase ended; `energy` is its attributed energy, `so_far` the run's
  // attributed energy and `elapsed` its duration up to now. Returns the
  // prediction the first time enough phases have ended.
  std::optional<Prediction> phase_ended(Joules energy, Seconds phase_duration, Joules so_far,
                                        Seconds elapsed);

 private:
  int expected_;
  int after_;
  int completed_ = 0;
  Joules phase_energy_;
  Seconds phase_time_;
  bool printed_ = false;
};

}  // namespace joule::run
