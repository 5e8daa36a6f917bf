// HealthFlag: what a trial's per-layer health says is wrong, by stated thresholds (`HealthRules`).
import Foundation

/// One finding about a trial's training.
public struct HealthFlag: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case dyingReLU = "dying_relu"
        case vanishingGradients = "vanishing_gradients"
        case explodingGradients = "exploding_gradients"
        case learningRateTooHigh = "learning_rate_too_high"
        case learningRateTooLow = "learning_rate_too_low"
    }

    public var kind: Kind
    public var trial: Int
    /// The first epoch it was seen at (0: at initialisation).
    public var epoch: Int
    /// The layer it concerns (its index in the model), nil for the whole network.
    public var layer: Int?
    /// What was measured against which threshold, in words (4 significant digits).
    public var message: String

    public init(kind: Kind, trial: Int, epoch: Int, layer: Int? = nil, message: String) {
        self.kind = kind
        self.trial = trial
        self.epoch = epoch
        self.layer = layer
        self.message = message
    }
}

/// The thresholds behind the flags (docs/training.md, "Training health", states them too).
///
/// - dying ReLU: a ReLU layer with at least `deadFraction` (50%) of its units zero for every
///   example of the fixed batch, at the trial's last measured epoch (units that stay dead).
/// - vanishing gradients: at some epoch, the first parametrised layer's gradient norm is above 0
///   and below `vanishingRatio` (1e-3, three orders of magnitude) times the last layer's. (A
///   gradient of exactly 0 is no flow at all: dead units, which the dying-ReLU flag reports.)
/// - exploding gradients: a gradient, weight or activation statistic is NaN or infinite, or the
///   global gradient norm, or a layer's weight norm, grows above `explodingGrowth` (1000×) its
///   value at initialisation.
/// - learning rate too high: at some epoch the median over layers of the update-to-weight ratio
///   is above `highUpdateRatio` (0.1: a hundred times the ~1e-3 rule of thumb).
/// - learning rate too low: at epoch 1 that median is below `lowUpdateRatio` (1e-5: a hundred
///   times below it). Both medians leave out layers that did not move at all (ratio 0: no
///   gradient reached them).
public struct HealthRules: Sendable, Equatable {
    public var deadFraction = 0.5
    public var vanishingRatio = 1e-3
    public var explodingGrowth = 1e3
    public var highUpdateRatio = 0.1
    public var lowUpdateRatio = 1e-5

    public init() {}

    /// The flags for one trial's epochs (any order), each kind at most once (per layer for dying
    /// ReLU), ordered by epoch then kind.
    public func flags(_ epochs: [EpochHealth]) -> [HealthFlag] {
        let epochs = epochs.sorted { $0.epoch < $1.epoch }
        guard let trial = epochs.first?.trial else { return [] }
        var out: [HealthFlag] = []
        func f(_ v: Double) -> String { formatted(v) }

        // Exploding: non-finite statistics, or growth of the global gradient norm.
        if let bad = epochs.first(where: { e in e.layers.contains { l in
            ![l.gradientNorm, l.weightNorm, l.activationMean, l.activationStd].allSatisfy(\.isFinite) } || !e.loss.isFinite }) {
            let layer = bad.layers.first { l in ![l.gradientNorm, l.weightNorm, l.activationMean, l.activationStd].allSatisfy(\.isFinite) }
            out.append(HealthFlag(kind: .explodingGradients, trial: trial, epoch: bad.epoch, layer: layer?.layer,
                                  message: "non-finite values at epoch \(bad.epoch)" + (layer.map { " in layer \($0.label) (gradient norm \(f($0.gradientNorm)), weight norm \(f($0.weightNorm)))" } ?? " (fixed-batch loss \(f(bad.loss)))")))
        } else if let start = epochs.first(where: { $0.epoch == 0 }) {
            let initial = start.gradientNorm
            let weights = Dictionary(start.layers.map { ($0.layer, $0.weightNorm) }, uniquingKeysWith: { a, _ in a })
            for e in epochs where e.epoch > 0 {
                if initial > 0, e.gradientNorm > explodingGrowth * initial {
                    out.append(HealthFlag(kind: .explodingGradients, trial: trial, epoch: e.epoch,
                                          message: "gradient norm \(f(e.gradientNorm)) at epoch \(e.epoch) is over \(f(explodingGrowth))× its \(f(initial)) at initialisation"))
                    break
                }
                if let l = e.layers.first(where: { l in (weights[l.layer] ?? 0) > 0 && l.weightNorm > explodingGrowth * weights[l.layer]! }) {
                    out.append(HealthFlag(kind: .explodingGradients, trial: trial, epoch: e.epoch, layer: l.layer,
                                          message: "layer \(l.label)'s weight norm \(f(l.weightNorm)) at epoch \(e.epoch) is over \(f(explodingGrowth))× its \(f(weights[l.layer]!)) at initialisation"))
                    break
                }
            }
        }

        // Vanishing: first layer's gradient far below the last's.
        for e in epochs where e.layers.count >= 2 {
            let first = e.layers.first!, last = e.layers.last!
            guard first.gradientNorm.isFinite, first.gradientNorm > 0, last.gradientNorm.isFinite, last.gradientNorm > 0 else { continue }
            let ratio = first.gradientNorm / last.gradientNorm
            if ratio < vanishingRatio {
                out.append(HealthFlag(kind: .vanishingGradients, trial: trial, epoch: e.epoch, layer: first.layer,
                                      message: "layer \(first.label)'s gradient norm \(f(first.gradientNorm)) is \(f(ratio))× the last layer's \(f(last.gradientNorm)) at epoch \(e.epoch) (threshold \(f(vanishingRatio))×)"))
                break
            }
        }

        // Dying ReLU: at the last measured epoch.
        if let last = epochs.last {
            for l in last.layers where l.deadFraction.isFinite && l.deadFraction >= deadFraction {
                out.append(HealthFlag(kind: .dyingReLU, trial: trial, epoch: last.epoch, layer: l.layer,
                                      message: "\(f(100 * l.deadFraction))% of layer \(l.label)'s units output zero for the whole fixed batch at epoch \(last.epoch) (threshold \(f(100 * deadFraction))%)"))
            }
        }

        // Learning rate by the median update-to-weight ratio.
        if let high = epochs.first(where: { ($0.medianUpdateRatio ?? 0) > highUpdateRatio }) {
            out.append(HealthFlag(kind: .learningRateTooHigh, trial: trial, epoch: high.epoch,
                                  message: "median update-to-weight ratio \(f(high.medianUpdateRatio!)) at epoch \(high.epoch) is above \(f(highUpdateRatio)) (rule of thumb ~1e-3)"))
        }
        if let first = epochs.first(where: { $0.epoch == 1 }), let r = first.medianUpdateRatio, r < lowUpdateRatio {
            out.append(HealthFlag(kind: .learningRateTooLow, trial: trial, epoch: 1,
                                  message: "median update-to-weight ratio \(f(r)) at epoch 1 is below \(f(lowUpdateRatio)) (rule of thumb ~1e-3)"))
        }
        return out.sorted { ($0.epoch, HealthFlag.Kind.allCases.firstIndex(of: $0.kind)!) < ($1.epoch, HealthFlag.Kind.allCases.firstIndex(of: $1.kind)!) }
    }

    /// 4 significant digits.
    func formatted(_ v: Double) -> String {
        guard v.isFinite else { return v.isNaN ? "NaN" : (v > 0 ? "inf" : "-inf") }
        return String(format: "%.4g", v)
    }
}

extension EpochHealth {
    /// The median over layers of the finite, non-zero update-to-weight ratios; nil when there is
    /// none (epoch 0, or no layer moved).
    public var medianUpdateRatio: Double? {
        let r = layers.map(\.updateRatio).filter { $0.isFinite && $0 > 0 }.sorted()
        guard !r.isEmpty else { return nil }
        return r.count % 2 == 1 ? r[r.count / 2] : (r[r.count / 2 - 1] + r[r.count / 2]) / 2
    }
}
