// SweepPlan: what rank 0 runs (the sweep, where, with what extras) and what it does once every
// trial has finished. Built by `SweepPlan.search`, `.resume` and `.distillation` (below and in
// SweepPlan+Distillation.swift); run by `SweepDriver`.
import Ensembles
import Foundation
import Search
import Storage
import Training

public struct SweepPlan {
    /// What the sweep is for, and so what follows its last trial.
    public enum Kind {
        /// A search: the sweep file's `ensemble:` section (if any) is built at the end.
        case search
        /// A distillation sweep of `parent`: its report is built at the end (also when nothing was
        /// left to run).
        case distillation(Distillation)
    }

    /// A distillation's teacher, students' sweep and parent run, as `SweepPlan.distillation` found them.
    public struct Distillation {
        public var parent: RunDirectory
        public var parentSpec: SweepSpec
        public var ensemble: EnsembleReport
        public var sweep: DistillationSweep
        public var distiller: Distiller
    }

    public var kind: Kind
    public var spec: SweepSpec
    public var run: RunDirectory
    /// Replaces the sampler the spec names (the distillation sweep's).
    public var sampler: (any Sampler)?
    /// Sent to every worker in its welcome.
    public var payload: [UInt8] = []
    /// Trains students in the size-1 world.
    public var teacher: Teacher?
    /// The data, when the plan loaded it already.
    public var data: PreparedData?
    /// Extra facts for the store's sweep record.
    public var environment: [String: String] = [:]
    /// How the user continues an interrupted job.
    public var resumeCommand: String
    /// `resume --trials/--time`: the new budget, written to the store once the run is locked
    /// (which also clears an earlier early end, so the sweep goes on).
    public var budgetExtension: (trials: Int?, time: Double?)?
    /// Objects to keep alive until the job ends (locks).
    public var keepAlive: [AnyObject] = []

    public init(kind: Kind = .search, spec: SweepSpec, run: RunDirectory) {
        self.kind = kind
        self.spec = spec
        self.run = run
        resumeCommand = "hpsearch resume \(run.url.path)"
    }

    /// A new sweep of the file at `path` in `directory` (default `runs/<name>-<UTC time>`), which
    /// must not hold a sweep yet; creates it and copies the sweep file there.
    public static func search(sweepFile path: String, directory: String?, log: (String) -> Void) throws -> SweepPlan {
        // Absolute, so that workers (and a later resume, reading the copy in the run directory)
        // resolve the sweep's relative data paths from the same place.
        let spec = try SweepSpec.loadForTraining(path: URL(fileURLWithPath: path).standardizedFileURL.path)
        try preflight(spec)
        if spec.program == nil, spec.layers != nil || spec.task == .regression || ["val_auc", "val_f1"].contains(spec.metric.name) {
            // What depends on the data — a metric only some data computes, a regression's targets,
            // a layer list's shapes at its parameters' extremes — is checked before any rank starts.
            let data = try PreparedData.load(spec.data, seed: spec.seed)
            try Trainer.checkMetric(spec.metric, data: data)
            try spec.checkLayerShapes(for: ModelBuilder.shape(of: data))
        }
        let run = RunDirectory(directory ?? RunDirectory.defaultPath(name: spec.name))
        guard !run.exists else { throw CoordinatorError("\(run.url.path) already holds a sweep; use `hpsearch resume \(run.url.path)` or another --dir") }
        try run.create()
        try spec.text.write(toFile: run.sweepCopyPath, atomically: true, encoding: .utf8)
        log("run directory: \(run.url.path)")
        return SweepPlan(spec: spec, run: run)
    }

    /// The interrupted sweep in `directory`, to finish; with `trials` or `time` (seconds), extended
    /// to that budget — totals, counting what the sweep already ran. The trials beyond the old
    /// budget are those the same sweep seed gives (a 20-trial sweep extended to 40 has the trials of
    /// a 40-trial sweep).
    public static func resume(_ directory: String, trials: Int? = nil, time: Double? = nil, log: (String) -> Void) throws -> SweepPlan {
        let run = RunDirectory(directory)
        guard run.exists else { throw CoordinatorError("\(directory) holds no sweep (no sweep.db); start one with `hpsearch run`") }
        let store = try SQLiteStore(path: run.storePath, readOnly: true)
        if let parent = try store.sweep()?.environment["distillation_of"] {
            throw CoordinatorError("\(directory) is the distillation sweep of \(parent): continue it with `hpsearch distill \(parent)`")
        }
        var spec = try StoredSweep.trainingSpec(of: run, store: store)
        if trials != nil || time != nil {
            let recorded = try store.trials().count
            if let trials {
                guard trials >= recorded else {
                    throw CoordinatorError("--trials \(trials) is below the \(recorded) trials \(directory) already holds; --trials is the new total, so give at least \(recorded)")
                }
                guard trials % spec.repeats == 0 else {
                    throw CoordinatorError("--trials \(trials) must be a multiple of the sweep's repeats (\(spec.repeats)), e.g. \((trials / spec.repeats + 1) * spec.repeats)")
                }
                spec.budget.trials = trials
                spec.budget.hasTrialLimit = true
                try preflight(spec)
            }
            if let time {
                let spent = try store.sweep()?.environment[SweepCoordinator.secondsSpentKey].flatMap(Double.init) ?? 0
                guard time > spent else {
                    throw CoordinatorError("--time \(Budget.format(seconds: time)) is not more than the \(Budget.format(seconds: spent)) the sweep has already run; --time is the new total, so give more")
                }
                spec.budget.time = time
            }
            log("extending \(run.url.path) to \(spec.budget.summary)")
        } else {
            log("resuming \(run.url.path)")
        }
        var plan = SweepPlan(spec: spec, run: run)
        if trials != nil || time != nil { plan.budgetExtension = (trials, time) }
        return plan
    }
}
