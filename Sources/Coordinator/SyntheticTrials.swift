// SyntheticTrials: a trial executor that trains nothing. Each trial reports a deterministic
// learning curve whose level depends on its configuration, so the coordinator, the stopper and
// the store can be measured (and tested) without the cost of training.
import Cluster
import Foundation
import Search
import Training

public struct SyntheticTrials: TrialExecutor {
    public var epochSeconds: Double
    /// Faults to act out (the fault suite and the soak test).
    public var faults = FaultInjection()

    public init(epochSeconds: Double = 0) { self.epochSeconds = epochSeconds }

    /// A power-law curve toward a floor set by the configuration's numeric values, with
    /// seed-determined wiggle: loss(e) = floor + 2·e^(−0.7) + noise.
    public static func loss(_ task: TrialTask, epoch: Int) -> Double {
        var h = task.seed
        for (k, v) in task.configuration.values.sorted(by: { $0.key < $1.key }) {
            for b in k.utf8 { h = (h ^ UInt64(b)) &* 0x100000001b3 }
            if let d = v.doubleValue { h = (h ^ d.bitPattern) &* 0x100000001b3 }
        }
        let floor = 0.2 + Double(h % 1000) / 2000
        var n = task.seed &+ UInt64(epoch) &* 0x9E3779B97F4A7C15
        n = (n ^ (n >> 30)) &* 0xBF58476D1CE4E5B9
        let noise = (Double(n >> 11) / Double(1 << 53) - 0.5) * 0.02
        return floor + 2 * pow(Double(epoch), -0.7) + noise
    }

    public func run(_ task: TrialTask, resumeState: [UInt8], saveState: (Int, [UInt8]) -> Void,
                    decide: (EpochRecord) -> StopDecision) -> TrialOutput {
        var epochs = 0, state = TrialState.completed
        let fault = faults.fault(trial: task.index)
        if fault?.kind == .throw {
            return TrialOutput(result: TrialResult(trial: task.index, state: .failed, message: "\(InjectedFault(trial: task.index))", epochs: 0, seconds: 0))
        }
        for epoch in 1...max(task.maxEpochs, 1) {
            if let fault, fault.epoch == epoch - 1 { FaultInjection.strike(fault) }
            if epochSeconds > 0 { Thread.sleep(forTimeInterval: epochSeconds) }
            let l = Self.loss(task, epoch: epoch)
            epochs = epoch
            let report = EpochRecord(trial: task.index, epoch: epoch, trainLoss: l * 0.9, trainAccuracy: 1 - l / 3,
                                     validationLoss: l, validationAccuracy: 1 - l / 3, learningRate: 0, seconds: epochSeconds)
            if decide(report).isStop {
                if epoch < task.maxEpochs { state = .pruned }
                break
            }
        }
        return TrialOutput(result: TrialResult(trial: task.index, state: state, epochs: epochs, bestEpoch: epochs, seconds: 0))
    }
}
