// ReportInput: everything the HTML report and the exports read about one sweep, as plain values
// (the CLI, or `load(store:spec:directory:)`, gathers them; rendering does no I/O).
import Foundation
import Search
import Storage

public struct ReportInput: Sendable {
    /// The parsed sweep file (the CLI parses `sweep.specText` with the training vocabulary).
    public var spec: SweepSpec
    /// The store's sweep record: name, the sweep file as run, creation date, environment.
    public var sweep: SweepRecord
    /// Ordered by index.
    public var trials: [TrialRecord]
    /// Every epoch of every trial, ordered by (trial, epoch).
    public var epochs: [EpochRecord]
    /// The store's ensembles table, ordered by id ("average" | "greedy" | "distilled").
    public var ensembles: [EnsembleRecord]
    /// The text of the run directory's `check.json` (`hpsearch check --json`), when there is one.
    public var checkText: String?
    /// The run directory as the user named it, for the page's header; nil to leave it out.
    public var directory: String?
    /// `check/inputs.png` and `check/distributions.svg` of the run directory (`hpsearch check
    /// --save RUN_DIR`), when there are: what the network sees, shown by the report.
    public var checkInputsPNG: [UInt8]? = nil
    public var checkDistributionsSVG: String? = nil
    /// The models' validation predictions and first layer (the CLI gathers them); nil: not gathered.
    public var insight: ModelInsight? = nil
    /// Every trial's training health (`Store.allHealth`), by (trial, epoch); empty for stores from
    /// before it was recorded.
    public var health: [EpochHealth] = []

    public init(spec: SweepSpec, sweep: SweepRecord, trials: [TrialRecord], epochs: [EpochRecord],
                ensembles: [EnsembleRecord] = [], checkText: String? = nil, directory: String? = nil) {
        self.spec = spec
        self.sweep = sweep
        self.trials = trials.sorted { $0.index < $1.index }
        self.epochs = epochs.sorted { ($0.trial, $0.epoch) < ($1.trial, $1.epoch) }
        self.ensembles = ensembles.sorted { $0.id < $1.id }
        self.checkText = checkText
        self.directory = directory
    }

    /// Reads the sweep, trials, epochs and ensembles from `store` (read-only calls: safe while a
    /// sweep writes to it), and `check.json` and check/'s pictures from `directory` when present.
    /// Throws `StoreError` when the store holds no sweep yet.
    public static func load(store: any Store, spec: SweepSpec, directory: URL?) throws -> ReportInput {
        guard let sweep = try store.sweep() else {
            throw StoreError("the store has no sweep yet; start one with `hpsearch run SWEEP.yaml`")
        }
        let check = directory.flatMap { try? String(contentsOf: $0.appendingPathComponent("check.json"), encoding: .utf8) }
        var input = ReportInput(spec: spec, sweep: sweep, trials: try store.trials(), epochs: try store.allEpochs(),
                                ensembles: try store.ensembles(), checkText: check, directory: directory?.path)
        input.loadCheckPictures(directory?.appendingPathComponent("check"))
        input.health = try store.allHealth()
        return input
    }

    /// Each trial's health records, in epoch order.
    var healthByTrial: [Int: [EpochHealth]] { Dictionary(grouping: health, by: \.trial) }

    /// Each trial's epochs, in epoch order.
    var epochsByTrial: [Int: [EpochRecord]] { Dictionary(grouping: epochs, by: \.trial) }

    /// The trials with a finite best value, best first (ties by index).
    var ranked: [TrialRecord] {
        trials.filter { $0.bestValue?.isFinite == true }.sorted { a, b in
            a.bestValue! == b.bestValue! ? a.index < b.index : spec.metric.isBetter(a.bestValue!, than: b.bestValue!)
        }
    }
}
