// StoreBenchmark: how fast a store records epochs (the coordinator's hottest write).
import Search

public enum StoreBenchmark {
    /// Appends `count` epochs to `store` and returns epochs recorded per second.
    ///
    /// The epochs belong to new trials of 100 epochs each, numbered after the store's last trial;
    /// those trials are recorded first, untimed. Give it a scratch store: the rows stay.
    /// - Parameter transactionSize: epochs per `transaction`; 1 (the default) autocommits each one,
    ///   as rank 0 does when epoch reports trickle in.
    public static func epochWrites(store: Store, count: Int, transactionSize: Int = 1) throws -> Double {
        precondition(count > 0 && transactionSize > 0, "count and transactionSize must be positive")
        let epochsPerTrial = 100
        let firstTrial = (try store.trials().last?.index ?? -1) + 1
        let trialCount = (count + epochsPerTrial - 1) / epochsPerTrial
        try store.transaction {
            for index in firstTrial..<(firstTrial + trialCount) {
                try store.upsertTrial(TrialRecord(index: index, configuration: Configuration(), seed: UInt64(index), state: .running))
            }
        }

        func epoch(_ i: Int) -> EpochRecord {
            let number = i % epochsPerTrial + 1
            return EpochRecord(trial: firstTrial + i / epochsPerTrial, epoch: number, trainLoss: 2.3 / Double(number),
                               trainAccuracy: 0.5, validationLoss: 2.4 / Double(number), validationAccuracy: 0.45,
                               learningRate: 1e-3, seconds: 1.25)
        }

        let clock = ContinuousClock()
        let start = clock.now
        var i = 0
        while i < count {
            let end = min(count, i + transactionSize)
            if transactionSize == 1 {
                try store.appendEpoch(epoch(i))
            } else {
                try store.transaction {
                    for j in i..<end { try store.appendEpoch(epoch(j)) }
                }
            }
            i = end
        }
        let (seconds, attoseconds) = (clock.now - start).components
        return Double(count) / (Double(seconds) + Double(attoseconds) * 1e-18)
    }
}
