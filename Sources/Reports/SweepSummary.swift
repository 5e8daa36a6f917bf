// SweepSummary: the numbers at the top of the report: trials by state, the best trial, epochs
// trained against a full-budget sweep, and when the sweep ran.
import Foundation
import Search
import Storage

public struct SweepSummary: Sendable, Equatable {
    public var name: String
    public var trials: Int
    public var budget: Budget
    /// Trials per state (states with none absent).
    public var states: [TrialState: Int]
    /// The best trial by the sweep metric (a finite best value), ties to the lower index.
    public var best: TrialRecord?
    /// Σ over trials of the epochs each finished.
    public var epochsTrained: Int
    /// Why the sweep ended before its trial budget (time budget, stop_when), from the store; nil otherwise.
    public var ended: String?
    /// `budget.trials × budget.maxEpochs`: what the sweep would train with no early stopping
    /// (the trials it ran, for a time-only budget or a sweep that ended early).
    public var fullBudgetEpochs: Int
    /// Σ over epochs of their seconds (training and validation, summed over ranks).
    public var trainingSeconds: Double
    /// The first trial's start and the last trial's finish (nil when no trial has one).
    public var firstStart: Date?
    public var lastFinish: Date?

    public init(_ input: ReportInput) {
        name = input.sweep.name
        trials = input.trials.count
        budget = input.spec.budget
        states = Dictionary(grouping: input.trials, by: \.state).mapValues(\.count)
        best = input.ranked.first
        epochsTrained = input.trials.reduce(0) { $0 + $1.epochs }
        ended = input.sweep.environment["ended"]
        // A sweep that ended early, or had only a time budget, is measured against the trials it ran.
        fullBudgetEpochs = (budget.hasTrialLimit && ended == nil ? budget.trials : trials) * budget.maxEpochs
        trainingSeconds = input.epochs.reduce(0) { $0 + ($1.seconds.isFinite ? $1.seconds : 0) }
        firstStart = input.trials.compactMap(\.startedAt).min()
        lastFinish = input.trials.compactMap(\.finishedAt).max()
    }

    /// The fraction of the full budget's epochs early stopping saved (0 when it saved none).
    public var savedFraction: Double {
        fullBudgetEpochs > 0 ? max(0, 1 - Double(epochsTrained) / Double(fullBudgetEpochs)) : 0
    }

    /// Whether some trial is still pending, running or lost (the sweep is not over).
    public var isUnfinished: Bool { states.contains { !$0.key.isFinished && $0.value > 0 } || (trials < budget.trials && ended == nil) }
}
