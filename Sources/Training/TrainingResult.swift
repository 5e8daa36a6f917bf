// EpochMetrics and the other values a training run reports.
import Foundation
import Search

/// What one epoch produced: the training average and a full pass over the validation split.
public struct EpochMetrics: Sendable, Equatable, Codable {
    /// 1-based.
    public var epoch: Int
    public var trainLoss: Double
    public var trainAccuracy: Double
    public var validationLoss: Double
    public var validationAccuracy: Double
    /// The learning rate at the epoch's last step.
    public var learningRate: Double
    /// Wall time of the epoch, validation included.
    public var seconds: Double
    /// Training examples per second (validation excluded).
    public var examplesPerSecond: Double

    /// The value of `metric` ("val_loss" or "val_accuracy").
    public func value(of metric: MetricSpec) -> Double {
        metric.value(validationLoss: validationLoss, validationAccuracy: validationAccuracy)
    }

    /// The epoch as trial `trial`'s record (what workers report and the store keeps).
    public func record(trial: Int) -> EpochRecord {
        EpochRecord(trial: trial, epoch: epoch, trainLoss: trainLoss, trainAccuracy: trainAccuracy, validationLoss: validationLoss,
                    validationAccuracy: validationAccuracy, learningRate: learningRate, seconds: seconds)
    }
}

/// A reporter's answer after an epoch: how the coordinator prunes a trial.
public enum TrainingDecision: Sendable, Equatable {
    case `continue`, stop
}

/// Why training ended.
public enum TrialOutcome: Sendable, Equatable, CustomStringConvertible {
    /// Ran every epoch of the budget.
    case completed
    /// Per-trial patience ran out: no improvement of more than min_delta for `patience` epochs.
    case earlyStopped
    /// The reporter (the coordinator's stopper) said stop.
    case pruned
    /// The loss became NaN/Inf or rose far above its initial value.
    case diverged(String)

    public var description: String {
        switch self {
        case .completed: return "completed"
        case .earlyStopped: return "early-stopped"
        case .pruned: return "pruned"
        case .diverged(let why): return "diverged: \(why)"
        }
    }

    /// The store's spelling: completed | early_stopped | pruned | diverged.
    public var name: String {
        switch self {
        case .completed: return "completed"
        case .earlyStopped: return "early_stopped"
        case .pruned: return "pruned"
        case .diverged: return "diverged"
        }
    }
}

/// Loss, accuracy and per-example class probabilities over one dataset.
public struct Evaluation: Sendable {
    public var loss: Double
    public var accuracy: Double
    /// Row-major [count, classes].
    public var probabilities: [Float]
    public var count: Int
}

/// The outcome of a training run. The model holds the best epoch's weights afterwards.
public struct TrainingResult: Sendable {
    public var history: [EpochMetrics]
    /// The epoch whose weights were kept (best validation metric), if any epoch finished.
    public var best: EpochMetrics?
    public var outcome: TrialOutcome
    /// Why the run stopped early, when patience stopped it (PatienceStopper's reason); nil otherwise.
    public var stopReason: String? = nil
    public var seconds: Double
    /// The training loss of the first batch, before any update.
    public var initialLoss: Double
}

/// Progress callbacks for a terminal or a log; every method is optional.
public protocol TrainingProgress: AnyObject {
    func epochStarted(_ epoch: Int, of epochs: Int, batches: Int)
    func batchFinished(_ batch: Int, of batches: Int, runningLoss: Double, examplesPerSecond: Double)
    func epochFinished(_ metrics: EpochMetrics, isBest: Bool)
}

extension TrainingProgress {
    public func epochStarted(_ epoch: Int, of epochs: Int, batches: Int) {}
    public func batchFinished(_ batch: Int, of batches: Int, runningLoss: Double, examplesPerSecond: Double) {}
    public func epochFinished(_ metrics: EpochMetrics, isBest: Bool) {}
}
