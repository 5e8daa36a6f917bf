// TrainingResult and the other values a training run reports. One epoch is a `Search.EpochRecord`;
// how a run ended is a `Search.TrialState`; a reporter answers with a `Search.StopDecision`.
import Foundation
import Search

/// Loss, accuracy and per-example class probabilities over one dataset; for regression the
/// loss, the predictions and RMSE/MAE/R² (accuracy NaN, no probabilities).
public struct Evaluation: Sendable {
    /// Cross-entropy (classification) or the standardised targets' mean squared error (regression).
    public var loss: Double
    /// NaN for regression.
    public var accuracy: Double
    /// Row-major [count, classes]; empty for regression.
    public var probabilities: [Float]
    public var count: Int
    /// The task's further metrics over the whole split, unprefixed (`auc`, `f1` for two classes;
    /// `rmse`, `mae`, `r2` for regression).
    public var metrics: [String: Double] = [:]
    /// Regression: row-major [count, targets] predictions in the targets' own units; else empty.
    public var predictions: [Float] = []

    /// What a stored trial keeps per split: class probabilities, or regression predictions.
    public var outputs: [Float] { probabilities.isEmpty ? predictions : probabilities }
}

/// The outcome of a training run. The model holds the best epoch's weights afterwards.
public struct TrainingResult: Sendable {
    public var history: [EpochRecord]
    /// The epoch whose weights were kept (best validation metric), if any epoch finished.
    public var best: EpochRecord?
    /// Why training ended: `.completed` (every epoch of the budget), `.earlyStopped` (per-trial
    /// patience ran out), `.pruned` (the reporter said stop) or `.diverged` (NaN/Inf or a loss far
    /// above its initial value; `message` says which).
    public var state: TrialState
    /// The divergence reason; nil unless `state` is `.diverged`.
    public var message: String?
    /// Why patience stopped the run (PatienceStopper's reason); nil unless patience stopped it.
    public var stopReason: String? = nil
    public var seconds: Double
    /// The training loss of the first batch, before any update.
    public var initialLoss: Double

    /// For people: completed | early-stopped | pruned | diverged: <why>.
    public var outcomeDescription: String {
        switch state {
        case .earlyStopped: return "early-stopped"
        case .diverged: return "diverged: \(message ?? "")"
        default: return state.rawValue
        }
    }
}

/// Progress callbacks for a terminal or a log; every method is optional.
public protocol TrainingProgress: AnyObject {
    func epochStarted(_ epoch: Int, of epochs: Int, batches: Int)
    func batchFinished(_ batch: Int, of batches: Int, runningLoss: Double, examplesPerSecond: Double)
    func epochFinished(_ metrics: EpochRecord, isBest: Bool)
}

extension TrainingProgress {
    public func epochStarted(_ epoch: Int, of epochs: Int, batches: Int) {}
    public func batchFinished(_ batch: Int, of batches: Int, runningLoss: Double, examplesPerSecond: Double) {}
    public func epochFinished(_ metrics: EpochRecord, isBest: Bool) {}
}
