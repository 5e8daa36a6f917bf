// SweepMonitor: what rank 0 shows while a sweep runs. On a terminal, one status line (trials
// done out of the budget by state, running, best so far, epochs/s, ETA) redrawn in place at
// most 4 times a second, with event lines scrolling above it; elsewhere (CI, mpirun to a file)
// the event lines plus a status line every 30 s (HPSEARCH_PROGRESS_INTERVAL); `--json-logs`:
// one JSON object per line, events and periodic progress; `--quiet`: nothing.
import Coordinator
import Foundation
import Search

final class SweepMonitor {
    enum Mode: Equatable { case quiet, terminal, plain, json }

    let mode: Mode
    private let output: FileHandle
    private let interval: Double
    private let started = Date()
    private var lastStatus = Date()
    private var statusShown = false
    /// The terminal's status line, recomputed at most 4 times a second (`progress` is O(trials)).
    private var lastLine = ""
    private var metric = ""
    private let timestamps = ISO8601DateFormatter()

    init(quiet: Bool, jsonLogs: Bool, output: FileHandle = .standardError,
         interval: Double = Double(ProcessInfo.processInfo.environment["HPSEARCH_PROGRESS_INTERVAL"] ?? "").flatMap { $0 > 0 ? $0 : nil } ?? 30) {
        self.output = output
        self.interval = interval
        mode = quiet ? .quiet : jsonLogs ? .json : isatty(output.fileDescriptor) == 1 ? .terminal : .plain
        lastStatus = started
    }

    private func write(_ s: String) { output.write(Data(s.utf8)) }

    private func writeJSON(_ object: [String: Any]) {
        var o = object
        o["time"] = timestamps.string(from: Date())
        guard let data = try? JSONSerialization.data(withJSONObject: o, options: [.sortedKeys]) else { return }
        write(String(decoding: data, as: UTF8.self) + "\n")
    }

    /// A message line (not an event).
    func log(_ line: String) {
        switch mode {
        case .quiet: return
        case .json: writeJSON(["event": "log", "message": line])
        case .plain: write(line + "\n")
        case .terminal:
            if statusShown { write("\r\u{1B}[2K") }
            write(line + "\n")
            statusShown = false
        }
    }

    /// Shows `event`; `progress` is asked only when a status line is due.
    func event(_ event: SweepEvent, metric: String, progress: () -> SweepProgress) {
        self.metric = metric
        let now = Date()
        switch mode {
        case .quiet: return
        case .json:
            writeJSON(event.json)
            if now.timeIntervalSince(lastStatus) >= interval { lastStatus = now; writeJSON(Self.json(progress(), seconds: now.timeIntervalSince(started))) }
        case .plain:
            if case .epoch = event {} else { write("\(event)\n") }
            if now.timeIntervalSince(lastStatus) >= interval { lastStatus = now; write(status(progress()) + "\n") }
        case .terminal:
            let isEpoch: Bool
            if case .epoch = event { isEpoch = true } else { isEpoch = false }
            if !isEpoch { write("\r\u{1B}[2K\(event)\n") }
            if now.timeIntervalSince(lastStatus) >= 0.25 || lastLine.isEmpty {
                lastStatus = now
                lastLine = status(progress())
            } else if isEpoch {
                return
            }
            // An event line scrolled the status away: draw it again (recomputed at most 4×/s).
            write("\r\u{1B}[2K" + lastLine)
            statusShown = true
        }
    }

    /// Clears the status line (before the final table).
    func finish() {
        if mode == .terminal, statusShown { write("\r\u{1B}[2K") }
        statusShown = false
    }

    /// `[12/60 done: 3 completed, 7 pruned · 2 running · best val_loss 0.2713 (trial 42) · 1.8 epochs/s · ETA 7m12s]`.
    func status(_ p: SweepProgress) -> String {
        let seconds = Date().timeIntervalSince(started)
        let states = TrialState.allCases.compactMap { s in p.finished[s].map { "\($0) \(s.rawValue)" } }
        var parts = [(p.hasTrialLimit ? "\(p.done)/\(p.budget) done" : "\(p.done) done") + (states.isEmpty ? "" : ": " + states.joined(separator: ", ")), "\(p.running) running"]
        if let best = p.best { parts.append(String(format: "best %@ %.4f (trial %d)", metric, best.value, best.trial)) }
        parts.append(String(format: "%.2f epochs/s", Double(p.epochs) / max(seconds, 1e-9)))
        var eta = p.done > 0 && p.done < p.budget && p.hasTrialLimit ? seconds * Double(p.budget - p.done) / Double(p.done) : nil
        if let left = p.timeLeft { eta = min(eta ?? left, left) }
        if let eta { parts.append("ETA " + Self.duration(eta) + (p.timeLeft.map { eta >= $0 ? " (time budget)" : "" } ?? "")) }
        return "[" + parts.joined(separator: " · ") + "]"
    }

    static func json(_ p: SweepProgress, seconds: Double) -> [String: Any] {
        var o: [String: Any] = ["event": "progress", "budget": p.budget, "done": p.done, "running": p.running, "epochs": p.epochs,
                                "seconds": seconds, "finished": Dictionary(uniqueKeysWithValues: p.finished.map { ($0.key.rawValue, $0.value) })]
        if let best = p.best { o["best_trial"] = best.trial; o["best_value"] = best.value }
        if let left = p.timeLeft { o["time_left"] = left }
        return o
    }

    /// `7m12s`, `1h03m`, `45s`.
    static func duration(_ s: Double) -> String {
        let t = Int(s.rounded())
        if t >= 3600 { return String(format: "%dh%02dm", t / 3600, (t % 3600) / 60) }
        if t >= 60 { return String(format: "%dm%02ds", t / 60, t % 60) }
        return "\(t)s"
    }
}
