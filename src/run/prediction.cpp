#include "run/prediction.hpp"

namespace joule::run {

std::optional<Prediction> Predictor::phase_ended(Joules energy, Seconds phase_duration,
                                                 Joules so_far, Seconds elapsed) {
  ++completed_;
  phase_energy_ += energy;
  phase_time_ = phase_time_ + phase_duration;
  if (printed_ || expected_ <= 0 || completed_ < after_) return std::nullopt;
  printed_ = true;
  // Energy so far (setup, data loading, the phases done) plus the mean phase
  // for each phase to come: the setup is paid once, not once per phase.
  const int remaining = expected_ > completed_ ? expected_ - completed_ : 0;
  const double mean_j = phase_energy_.joules / completed_;
  const double mean_s = phase_time_.seconds / completed_;
  return Prediction{completed_, expected_, Joules{so_far.joules + mean_j * remaining},
                    Seconds{elapsed.seconds + mean_s * remaining}};
}

}  // namespace joule::run
