#pragma once
// config.json's `rope_scaling`, read once for the engine and the GGUF exporter. What each type does to the
// rotary frequencies inv_freq[i] = 1 / theta^(2i / headDim), as Hugging Face's rope initialisers do:
//   linear  positions divided by `factor`;
//   llama3  Llama 3.1's wavelength bands: long wavelengths (> original context / low_freq_factor) divided by
//           `factor`, short ones (< original context / high_freq_factor) kept, the band between blended;
//   dynamic NTK: theta grows once a sequence runs past max_position_embeddings.

#include <cstdint>
#include <vector>

#include <QJsonObject>
#include <QString>

namespace ft {

struct RopeScaling {
    QString type; // empty (none), "linear", "llama3" or "dynamic"
    double factor = 1.0;
    double lowFreqFactor = 1.0;     // llama3
    double highFreqFactor = 4.0;    // llama3
    int64_t originalContext = 8192; // llama3: original_max_position_embeddings

    // Reads config["rope_scaling"] (absent, null or type "default": none); throws ft::Error naming `origin`
    // and the field for an unknown type or a bad value.
    static RopeScaling fromConfig(const QJsonObject& config, const QString& origin);
    static QStringList supportedTypes(); // linear, llama3, dynamic
};

// Per rotary pair (headDim / 2 values): what llama3 scaling divides each frequency by (1 where it keeps it).
// llama.cpp reads these as the `rope_freqs.weight` tensor. Frequencies are computed in fp32 as torch does.
std::vector<float> llama3FrequencyDivisors(int64_t headDim, double theta, const RopeScaling& scaling);

// Dynamic NTK's theta for sequences of `sequenceLength` positions (theta itself up to maxPositions).
double dynamicNtkTheta(double theta, int64_t headDim, int64_t maxPositions, int64_t sequenceLength,
                       const RopeScaling& scaling);

} // namespace ft
