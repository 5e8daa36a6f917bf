// Budget: how much training the sweep may spend.

/// How many trials the sweep runs and the most epochs any one trial trains (both ≥ 1).
public struct Budget: Sendable, Hashable {
    public var trials: Int
    public var maxEpochs: Int

    public init(trials: Int, maxEpochs: Int) {
        self.trials = trials
        self.maxEpochs = maxEpochs
    }
}
