// NoStopper: the stopper that never stops a trial.

/// Never stops a trial; every trial may train `maxEpochs` epochs. Rank 0 runs it when the sweep has
/// no cross-trial scheduler (`scheduler: none`).
public struct NoStopper: Stopper, Sendable {
    public let maxEpochs: Int

    public init(maxEpochs: Int) {
        self.maxEpochs = maxEpochs
    }

    public mutating func report(trial: Int, epoch: Int, value: Double) -> StopDecision { .continue }

    public func maxEpochs(trial: Int) -> Int { maxEpochs }
}
