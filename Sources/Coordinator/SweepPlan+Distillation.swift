// The distillation plan: the teacher (the run's newest ensemble, built first when there is none),
// the student, and the students' sweep in RUN_DIR/distill, continued when it exists already.
import Ensembles
import Foundation
import Search
import Storage
import Training

extension SweepPlan {
    /// The distillation of the finished sweep in `directory`: `trials` students (nil: the sweep's
    /// `distill.trials`) of `epochs` epochs (nil: `distill.epochs`, else `max_epochs`) besides the
    /// hard-label control. Holds the parent's lock until the job ends.
    public static func distillation(of directory: String, trials: Int?, epochs: Int?, log: @escaping (String) -> Void) throws -> SweepPlan {
        let parent = RunDirectory(directory)
        guard parent.exists else { throw CoordinatorError("\(directory) holds no sweep (no sweep.db); run one with `hpsearch run`") }
        let parentLock = try RunLock(parent)
        let parentStore = try SQLiteStore(path: parent.storePath)
        let spec = try StoredSweep.trainingSpec(of: parent, store: parentStore)
        let started = Date()
        let data = spec.program != nil ? try ProgramData.prepared(run: parent, store: parentStore, spec: spec)
            : try PreparedData.load(spec.data, seed: spec.seed)
        var distiller = Distiller(EnsembleBuilder(spec: spec, store: parentStore, run: parent, data: data))
        distiller.predictions.onRecompute = { trial, split in log("trial \(trial): predicting the \(split.rawValue) split from its checkpoint") }
        let ensemble: EnsembleReport
        if let stored = try distiller.latestEnsemble() {
            ensemble = stored
        } else {
            log("no ensemble yet: building the sweep's \(spec.ensemble?.method ?? "average") ensemble first")
            ensemble = try distiller.builder.build(top: spec.ensemble?.topK ?? 5, method: spec.ensemble?.method ?? "average")
        }
        let teacher = try distiller.teacher(ensemble)
        let student = try distiller.student(ensemble)
        let section = spec.distill ?? DistillationSweep.defaultSpec
        let payload = DistillationPayload(student: student, teacher: teacher, trials: trials ?? section.trials, epochs: epochs ?? section.epochs)
        let sweep = payload.sweep(parent: spec)
        if sweep.distill.trials > 1, case .constant = sweep.distill.temperature, case .constant = sweep.distill.alpha {
            throw CoordinatorError("\(sweep.distill.trials) students asked for, but distill.temperature and distill.alpha are both fixed: give one a distribution (e.g. temperature: {distribution: uniform, min: 2, max: 8}) or train one student")
        }
        if let e = ensemble.ensemble.regressionTest, let b = ensemble.bestSingle.regressionTest {
            log(String(format: "teacher: %@ of %d (test RMSE %.4g; best single %.4g), mean predictions of %d training examples ready in %.1f s",
                       ensemble.method, ensemble.members.count, e.rmse, b.rmse, teacher.rows, Date().timeIntervalSince(started)))
        } else {
            log(String(format: "teacher: %@ of %d (test accuracy %.4f; best single %.4f), soft targets of %d training examples ready in %.1f s",
                       ensemble.method, ensemble.members.count, ensemble.ensemble.test?.accuracy ?? .nan, ensemble.bestSingle.test?.accuracy ?? .nan,
                       teacher.rows, Date().timeIntervalSince(started)))
        }
        log("student: \(student)")
        let run = RunDirectory(parent.url.appendingPathComponent("distill").path)
        let identity = "members \(ensemble.members.compactMap(\.trial)) weights \(ensemble.members.compactMap(\.weight)); student \(student); trials \(sweep.distill.trials); epochs \(sweep.spec.budget.maxEpochs)"
        if run.exists {
            let previous = try SQLiteStore(path: run.storePath, readOnly: true).sweep()?.environment["distillation"]
            guard previous == identity else {
                throw CoordinatorError("\(run.url.path) holds a distillation of another teacher or student (\(previous ?? "unknown")); move it away to start a new one")
            }
            log("continuing the distillation in \(run.url.path)")
        } else {
            try run.create()
            try spec.text.write(toFile: run.sweepCopyPath, atomically: true, encoding: .utf8)
        }
        var plan = SweepPlan(kind: .distillation(Distillation(parent: parent, parentSpec: spec, ensemble: ensemble, sweep: sweep, distiller: distiller)),
                             spec: sweep.spec, run: run)
        plan.sampler = sweep.makeSampler()
        plan.payload = try payload.encoded()
        plan.teacher = teacher
        plan.data = data
        plan.environment = ["distillation": identity, "distillation_of": parent.url.path,
                            StoredSweep.planKey: try StoredSweep.planText(student: student, trials: payload.trials, epochs: payload.epochs)]
        plan.keepAlive = [parentLock]
        plan.resumeCommand = "hpsearch distill \(parent.url.path)"
        return plan
    }
}
