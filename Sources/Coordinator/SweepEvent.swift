// SweepEvent: what rank 0 tells people while a sweep runs (progress lines, JSON logs).
import Foundation
import Search

public enum SweepEvent: Sendable, CustomStringConvertible {
    /// A trial went to a rank; `resumedAfter` is the epoch it continues after, if any.
    case assigned(trial: Int, rank: Int, configuration: Configuration, resumedAfter: Int?)
    /// An epoch was recorded; `value` is the sweep metric.
    case epoch(trial: Int, epoch: Int, value: Double)
    /// A trial ended (any final state).
    case finished(trial: Int, state: TrialState, epochs: Int, bestValue: Double?, bestEpoch: Int?, message: String?, metric: String)
    /// A worker said hello.
    case joined(rank: Int, host: String, pid: Int)
    /// A rank stopped working.
    case lost(rank: Int, reason: String)
    /// A trial was lost with its rank (it runs again: later in the sweep, or on resume).
    case trialLost(trial: Int, rank: Int, reason: String)
    /// The sweep ends before its trial budget: no trial starts any more, running ones stop after
    /// their epoch (time budget spent, stop_when target reached).
    case ending(reason: String)

    public var description: String {
        switch self {
        case .assigned(let trial, let rank, let configuration, let resumedAfter):
            return "trial \(trial) → rank \(rank)\(resumedAfter.map { " (resumed after epoch \($0))" } ?? ""): \(configuration)"
        case .epoch(let trial, let epoch, let value):
            return "trial \(trial) epoch \(epoch): \(value)"
        case .finished(let trial, let state, let epochs, let bestValue, let bestEpoch, let message, let metric):
            let best = bestValue.map { String(format: "%@ %.4f at epoch %d", metric, $0, bestEpoch ?? 0) } ?? "no epoch"
            return "trial \(trial) \(state.rawValue) after \(epochs) epochs: \(best)\(message.map { " (\($0))" } ?? "")"
        case .joined(let rank, let host, let pid):
            return "rank \(rank) joined from \(host) (pid \(pid))"
        case .lost(let rank, let reason):
            return "rank \(rank) lost: \(reason)"
        case .trialLost(let trial, let rank, let reason):
            return "trial \(trial) lost on rank \(rank): \(reason)"
        case .ending(let reason):
            return "\(reason): no new trials; running ones stop after their current epoch"
        }
    }

    /// A flat JSON object for `--json-logs` (`event` names the case).
    public var json: [String: Any] {
        switch self {
        case .assigned(let trial, let rank, let configuration, let resumedAfter):
            var o: [String: Any] = ["event": "assigned", "trial": trial, "rank": rank,
                                    "config": configuration.values.mapValues { $0.jsonValue }]
            o["resumed_after"] = resumedAfter
            return o
        case .epoch(let trial, let epoch, let value):
            return ["event": "epoch", "trial": trial, "epoch": epoch, "value": value.isFinite ? value : NSNull()]
        case .finished(let trial, let state, let epochs, let bestValue, let bestEpoch, let message, let metric):
            var o: [String: Any] = ["event": "finished", "trial": trial, "state": state.rawValue, "epochs": epochs, "metric": metric]
            o["best_value"] = bestValue
            o["best_epoch"] = bestEpoch
            o["message"] = message
            return o
        case .joined(let rank, let host, let pid):
            return ["event": "joined", "rank": rank, "host": host, "pid": pid]
        case .lost(let rank, let reason):
            return ["event": "lost", "rank": rank, "reason": reason]
        case .trialLost(let trial, let rank, let reason):
            return ["event": "trial_lost", "trial": trial, "rank": rank, "reason": reason]
        case .ending(let reason):
            return ["event": "ending", "reason": reason]
        }
    }
}

/// Where a sweep stands: what a progress line shows.
public struct SweepProgress: Sendable {
    public var budget: Int
    /// False for a time-only budget (then `budget` is only a cap).
    public var hasTrialLimit = true
    /// Seconds left of the sweep's time budget (nil: it has none).
    public var timeLeft: Double?
    /// Finished trials by state.
    public var finished: [TrialState: Int]
    public var running: Int
    public var best: (trial: Int, value: Double)?
    /// Epochs recorded since this process started coordinating.
    public var epochs: Int

    public var done: Int { finished.values.reduce(0, +) }
}
