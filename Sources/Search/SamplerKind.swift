// SamplerKind: how configurations are drawn.

/// `random`: independent uniforms per trial. `sobol`: a scrambled Sobol sequence, which covers the
/// space more evenly for the same number of trials. Grid search is deliberately absent: random
/// search beats it when only a few parameters matter (Bergstra & Bengio 2012).
public enum SamplerKind: String, Sendable, CaseIterable {
    case random, sobol
}
