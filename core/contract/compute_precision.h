#pragma once
// The precision a new run computes in when its settings name none. bfloat16 (mixed precision: bf16
// products, float32 master weights and optimizer state) where the CPU multiplies bf16 in hardware,
// float32 elsewhere. $FT_COMPUTE_DTYPE ("float32" or "bfloat16") overrides the machine: the test suite
// sets float32 so that its numbers do not depend on the machine it runs on.
//
// Settings that name a compute_dtype keep it, and a run folder's config.json always names one, so a
// resumed or cloned run computes as it did.

#include <QJsonObject>
#include <QString>

namespace ft {

struct ComputeDtypeDefault {
    QString dtype;  // "float32" or "bfloat16"
    QString reason; // one line for the user: why this one
};

// The rule, given what the machine has and the environment's override (empty: none).
// Throws Error for an override that is neither float32 nor bfloat16.
ComputeDtypeDefault computeDtypeDefaultFor(bool cpuHasNativeBf16, const QString& environmentOverride);

// The rule applied to this machine and this process's environment.
ComputeDtypeDefault defaultComputeDtype();

// Puts the default into `settings` (a training configuration's JSON) where it names no compute_dtype.
void applyDefaultComputeDtype(QJsonObject& settings);

} // namespace ft
