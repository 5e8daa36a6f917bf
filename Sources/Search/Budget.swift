// Budget: how much training the sweep may spend.
import Foundation

/// How many trials the sweep runs, the most epochs any one trial trains, and optionally how much
/// wall time the whole sweep and each trial may take (`budget: {trials: 500, time: 2h,
/// trial_time: 10m, max_epochs: 30}`; trials or time or both).
///
/// When `time` is spent (summed over every job of the sweep: `run`, then each `resume`), no new
/// trial starts; running trials finish the epoch they are in and are recorded `stopped` with the
/// reason. A trial that has trained for `trialTime` is stopped the same way after its epoch.
public struct Budget: Sendable, Hashable {
    /// The most trials; for a time-only budget (`hasTrialLimit` false) `Budget.unlimitedTrials`.
    public var trials: Int
    public var maxEpochs: Int
    /// Seconds the sweep may run, over all its jobs (nil: no limit).
    public var time: Double?
    /// Seconds one trial may train (nil: no limit).
    public var trialTime: Double?
    /// False when the file gave only `time:`.
    public var hasTrialLimit: Bool

    /// The trial cap of a budget given by time alone.
    public static let unlimitedTrials = 1_000_000

    public init(trials: Int, maxEpochs: Int, time: Double? = nil, trialTime: Double? = nil) {
        self.trials = trials
        self.maxEpochs = maxEpochs
        self.time = time
        self.trialTime = trialTime
        hasTrialLimit = true
    }

    /// A budget of `time` seconds with no trial count (capped at `unlimitedTrials`).
    public static func timeOnly(_ time: Double, maxEpochs: Int, trialTime: Double? = nil) -> Budget {
        var b = Budget(trials: unlimitedTrials, maxEpochs: maxEpochs, time: time, trialTime: trialTime)
        b.hasTrialLimit = false
        return b
    }

    /// "60 trials", "60 trials or 2h", "2h" — for logs and the report.
    public var summary: String {
        var parts: [String] = []
        if hasTrialLimit { parts.append("\(trials) trial" + (trials == 1 ? "" : "s")) }
        if let time { parts.append(Self.format(seconds: time)) }
        return parts.joined(separator: " or ")
    }

    /// The trial count as shown after "12/": the number, or "∞" for a time-only budget.
    public var trialsText: String { hasTrialLimit ? "\(trials)" : "∞" }

    /// Seconds in a duration written `90`, `90s`, `30m`, `2h`, `1h30m`, `1.5h` or `2d`; nil when the
    /// text is none of these or not positive.
    public static func seconds(in text: String) -> Double? {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        if let plain = Double(t) { return plain > 0 && plain.isFinite ? plain : nil }
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        var total = 0.0, number = "", any = false
        for c in t {
            if c.isNumber || c == "." {
                number.append(c)
            } else if let unit = units[c], let v = Double(number) {
                total += v * unit
                number = ""
                any = true
            } else if c == " " {
                continue
            } else {
                return nil
            }
        }
        guard any, number.isEmpty, total > 0, total.isFinite else { return nil }
        return total
    }

    /// `5400` → "1h30m", `90` → "1m30s", `45.5` → "45.5s": the shortest form `seconds(in:)` reads back.
    public static func format(seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "\(seconds)s" }
        if seconds < 60 { return seconds == seconds.rounded() ? "\(Int(seconds))s" : String(format: "%gs", seconds) }
        var rest = Int(seconds.rounded())
        var text = ""
        for (unit, size) in [("d", 86400), ("h", 3600), ("m", 60), ("s", 1)] where rest >= size {
            text += "\(rest / size)\(unit)"
            rest %= size
        }
        return text
    }
}
