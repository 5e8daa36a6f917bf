// `hpsearch distill`: one student network trained on the ensemble's soft targets, beside a
// hard-label control of the same architecture, seed and budget; launched like `run` (under
// mpirun the students train on the worker ranks).
import ArgumentParser
import Cluster
import Coordinator
import Ensembles
import Foundation
import Search
import Storage
import Training

struct Distill: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Distil a sweep's ensemble into one student network (`mpirun -np N hpsearch distill DIR`, or without mpirun).",
        discussion: """
        The teacher is the newest ensemble of the run (built first, from the sweep's ensemble section, when there is none). \
        The student takes the best member's configuration with the sweep file's distill.student overrides and trains on \
        alpha·T²·KL(teacher_T ‖ student_T) + (1 − alpha)·CE(labels). Trial 0 of the distillation sweep is the hard-label \
        control; trials 1… search the distill section's temperature and alpha. Everything is kept under DIR/distill/, and \
        running the command again continues an interrupted distillation.
        """
    )

    @Argument(help: "The run directory of a finished sweep.")
    var runDirectory: String

    @Option(help: "Students to train (default: the sweep's distill.trials, else 1); the control comes on top.")
    var trials: Int?

    @Option(help: "Epochs per student and for the control (default: distill.epochs, else the sweep's max_epochs).")
    var epochs: Int?

    @Flag(help: "Print one JSON object: {student, control, best_single, ensemble, …}.")
    var json = false

    @OptionGroup var options: RunOptions

    func validate() throws {
        if let trials, trials < 1 { throw ValidationError("--trials must be at least 1") }
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1") }
    }

    func run() throws {
        try SweepJob(options: options).start { log in
            let parent = RunDirectory(runDirectory)
            guard parent.exists else { throw CoordinatorError("\(runDirectory) holds no sweep (no sweep.db); run one with `hpsearch run`") }
            let parentLock = try RunLock(parent)
            let parentStore = try SQLiteStore(path: parent.storePath)
            let spec = try SweepJob.spec(of: parent, store: parentStore)
            let started = Date()
            let data = try PreparedData.load(spec.data, seed: spec.seed)
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
            log(String(format: "teacher: %@ of %d (test accuracy %.4f; best single %.4f), soft targets of %d training examples ready in %.1f s",
                       ensemble.method, ensemble.members.count, ensemble.ensemble.test.accuracy, ensemble.bestSingle.test.accuracy,
                       teacher.rows, Date().timeIntervalSince(started)))
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
            var plan = SweepPlan(spec: sweep.spec, run: run)
            plan.sampler = sweep.makeSampler()
            plan.payload = try payload.encoded()
            plan.teacher = teacher
            plan.data = data
            plan.environment = ["distillation": identity, "distillation_of": parent.url.path,
                                StoredSweep.planKey: try StoredSweep.planText(student: student, trials: payload.trials, epochs: payload.epochs)]
            plan.keepAlive = [parentLock]
            plan.finishWhenAlreadyComplete = true
            plan.resumeCommand = "hpsearch distill \(parent.url.path)"
            plan.finish = { store, _ in
                let report = try distiller.report(ensemble: ensemble, sweep: sweep, store: store, run: run)
                if json { try printJSON(DistillTable.json(report)) } else { print(DistillTable.render(report)) }
            }
            return plan
        }
    }
}

enum DistillTable {
    static func json(_ r: DistillationReport) -> [String: Any] {
        ["student": EnsembleTable.row(r.student), "control": EnsembleTable.row(r.control), "best_single": EnsembleTable.row(r.bestSingle),
         "ensemble": EnsembleTable.row(r.ensemble), "ensemble_method": r.ensembleMethod, "temperature": r.temperature, "alpha": r.alpha,
         "kept_gain": r.keptGain.isFinite ? r.keptGain : NSNull(), "cost_ratio": r.costRatio,
         "students": r.students.map { ["trial": $0.trial, "temperature": $0.temperature, "alpha": $0.alpha,
                                       "val_accuracy": $0.validationAccuracy, "test_accuracy": $0.testAccuracy] }]
    }

    static func render(_ r: DistillationReport) -> String {
        var lines = ["distillation — student picked on validation; test set for evaluation only",
                     EnsembleTable.header]
        for (e, label) in [(r.student, r.student.name), (r.control, "hard-label control"),
                           (r.bestSingle, "best single (\(r.bestSingle.trial ?? 0))"), (r.ensemble, r.ensemble.name)] {
            lines.append(EnsembleTable.line(e, label))
        }
        if r.students.count > 1 {
            lines.append("students: " + r.students.map { String(format: "#%d T %.3g α %.3g val %.4f", $0.trial, $0.temperature, $0.alpha, $0.validationAccuracy) }
                .joined(separator: "; "))
        }
        let points = { (e: EnsembleEntry) in (e.test.accuracy - r.bestSingle.test.accuracy) * 100 }
        lines.append(String(format: "student − control: %+.2f accuracy points; student − best single: %+.2f; ensemble − best single: %+.2f",
                            (r.student.test.accuracy - r.control.test.accuracy) * 100, points(r.student), points(r.ensemble)))
        if !r.keptGain.isFinite {
            lines.append(String(format: "the ensemble did not beat the best single model; the student costs 1/%.1f of the ensemble", r.costRatio))
        } else if r.keptGain < 0 {
            lines.append(String(format: "the student is %.2f points below the best single model (it keeps none of the ensemble's gain) at 1/%.1f of the ensemble's inference cost",
                                -points(r.student), r.costRatio))
        } else {
            lines.append(String(format: "the student keeps %.0f%% of the ensemble's gain at 1/%.1f of its inference cost", 100 * r.keptGain, r.costRatio))
        }
        return lines.joined(separator: "\n")
    }
}
