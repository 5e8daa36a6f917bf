// A sweep whose trials are the user's own program (examples/program/train.py, plain Python):
// under real `mpirun -np 3` with ASHA — trials pruned by signal, one exiting non-zero recorded
// failed with its standard error, a worker killed mid-trial whose trial resumes on the other
// rank from its checkpoint directory, a top-5 ensemble from the program's predictions, every
// trial accounted for exactly once; and parameter values reaching the program verbatim as argv,
// JSON or environment, never through a shell.
import Foundation
import Search
import Storage
import TestSupport
import XCTest

final class ProgramSweepTests: XCTestCase {
    static let root = MPISweepTests.root
    static let binary = MPISweepTests.binary
    static let example = root.appendingPathComponent("examples/program/train.py").path

    var dir: TemporaryDirectory!

    override func setUpWithError() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: Self.binary), "build the hpsearch product first (swift build --build-tests builds it)")
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "python3 not found (the program under test is plain Python)")
        dir = try TemporaryDirectory(prefix: "program-sweep")
    }

    func run(_ args: [String], ranks: Int?, environment extra: [String: String] = [:]) throws -> (Int32, String) {
        let p = ranks.map { ranks in
            Subprocess.bounded("/usr/bin/mpirun", ["-np", "\(ranks)", "--oversubscribe", "--bind-to", "none", "--enable-recovery"]
                               + extra.keys.sorted().flatMap { ["-x", $0] } + ["-x", "HPSEARCH_STATE_INTERVAL", "-x", "HPSEARCH_HEARTBEAT_INTERVAL"]
                               + (getuid() == 0 ? ["--allow-run-as-root"] : []) + [Self.binary] + args, timeout: 300)
        } ?? Subprocess.bounded(Self.binary, args, timeout: 300)
        var env = ProcessInfo.processInfo.environment
        env["HPSEARCH_STATE_INTERVAL"] = "0"
        env["HPSEARCH_HEARTBEAT_INTERVAL"] = "0.5"
        env.merge(extra) { $1 }
        p.environment = env
        let out = dir.file("out-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        let handle = try FileHandle(forWritingTo: out)
        p.standardOutput = handle
        p.standardError = handle
        try p.run()
        p.waitUntilExit()
        return (p.terminationStatus, (try? String(contentsOf: out, encoding: .utf8)) ?? "")
    }

    func testAProgramSweepUnderMpirunWithASHAFailureAKilledWorkerAndAnEnsemble() throws {
        let sweep = dir.file("sweep.yaml")
        try """
        name: toy
        seed: 11
        program:
          command: [python3, \(Self.example)]
          grace_seconds: 5
          max_epochs_flag: --epochs
        budget: {trials: 10, max_epochs: 6}
        early_stopping:
          scheduler: {type: asha, grace_epochs: 2, reduction_factor: 2}
        parameters:
          learning_rate: {distribution: log_uniform_values, min: 1.0e-3, max: 0.3}
          width: {values: [4, 8, 16]}
        ensemble: {top_k: 5, method: average}
        distill: {alpha: {distribution: uniform, min: 0.3, max: 0.9}, temperature: {value: 2.0}, trials: 2}
        """.write(to: sweep, atomically: true, encoding: .utf8)
        let run = dir.file("run").path
        // Trial 2 exits 3 after its first epoch; rank 2 dies (SIGKILL) when its trial reaches its
        // second epoch, before reporting it: rank 0 gives the rank up and that trial continues on
        // rank 1 from the checkpoint directory it left after epoch 1.
        let (_, output) = try self.run(["run", sweep.path, "--dir", run, "--heartbeat-timeout", "3"], ranks: 3,
                                       environment: ["TOY_FAIL_TRIAL": "2", "HPSEARCH_FAULT": "kill:*:2@2", "TOY_EPOCH_SECONDS": "0.05"])
        let store = try SQLiteStore(path: run + "/sweep.db", readOnly: true)
        let trials = try store.trials()
        XCTAssertEqual(trials.map(\.index), Array(0..<10), "every trial exactly once: \(output)")
        XCTAssertTrue(trials.allSatisfy(\.state.isFinished), "\(trials.map(\.state)) \(output)")
        let failed = try XCTUnwrap(trials.first { $0.index == 2 })
        XCTAssertEqual(failed.state, .failed)
        XCTAssertTrue(failed.message?.contains("exited with status 3") == true, failed.message ?? "")
        XCTAssertTrue(failed.message?.contains("toy: failing on purpose") == true, "the end of its stderr: \(failed.message ?? "")")
        XCTAssertTrue(trials.contains { $0.state == .pruned && $0.message?.contains("ASHA") == true }, "\(trials.map(\.state))")
        // The killed worker's trial resumed from its checkpoint directory on rank 1, each epoch once.
        let resumed = try trials.filter { t in
            let log = URL(fileURLWithPath: run).appendingPathComponent(RunDirectory.trialFolder(t.index) + "/stderr.log")
            return (try? String(contentsOf: log, encoding: .utf8))?.contains("resuming trial \(t.index) after epoch 1") == true
        }
        XCTAssertEqual(resumed.count, 1, "one trial resumed: \(output)")
        if let r = resumed.first {
            XCTAssertEqual(r.rank, 1, output)
            let epochs = try store.epochs(trial: r.index).map(\.epoch)
            XCTAssertEqual(epochs, Array(1...max(epochs.count, 1)), "each epoch once: \(epochs)")
        }
        // The ensemble, from the program's predictions and label files.
        let ensembles = try store.ensembles()
        XCTAssertEqual(ensembles.count, 1, output)
        XCTAssertTrue(output.contains("ensemble (average)"), output)
        XCTAssertTrue(FileManager.default.fileExists(atPath: run + "/trials/00000/stdout.log"))

        // Distillation: each student gets the ensemble's soft targets on the training split as
        // HPSEARCH_TEACHER (with its alpha and temperature); trial 0, the control, gets none.
        let (ds, dout) = try self.run(["distill", run], ranks: 3)
        XCTAssertEqual(ds, 0, dout)
        XCTAssertTrue(dout.contains("distillation — student picked on validation"), dout)
        let students = try SQLiteStore(path: run + "/distill/sweep.db", readOnly: true).trials()
        XCTAssertEqual(students.map(\.state), [.completed, .completed, .completed], dout)
        for s in students {
            let log = try String(contentsOf: URL(fileURLWithPath: run).appendingPathComponent("distill/" + RunDirectory.trialFolder(s.index) + "/stderr.log"), encoding: .utf8)
            XCTAssertEqual(log.contains("student: teacher of 300 rows"), s.index > 0, "trial \(s.index): \(log)")
        }
    }

    func testParameterValuesReachTheProgramVerbatimNeverThroughAShell() throws {
        let program = dir.file("echo.py")
        try """
        import json, os, sys
        print("argv " + json.dumps(sys.argv[1:]), file=sys.stderr)
        if "HPSEARCH_CONFIG" in os.environ: print("config " + open(os.environ["HPSEARCH_CONFIG"]).read(), file=sys.stderr)
        print("env " + json.dumps(os.environ.get("HPSEARCH_PARAM_MODE")), file=sys.stderr)
        print("hpsearch " + json.dumps({"epoch": 1, "val_loss": 0.5}))
        """.write(to: program, atomically: true, encoding: .utf8)
        for mode in ["flags", "json", "env"] {
            let sweep = dir.file("s-\(mode).yaml")
            try """
            name: echo-\(mode)
            program: {command: [python3, echo.py], args: \(mode)}
            budget: {trials: 1, max_epochs: 1}
            parameters:
              mode: {values: ["x; touch pwned"]}
            """.write(to: sweep, atomically: true, encoding: .utf8)
            let run = dir.file("run-\(mode)").path
            let (status, output) = try self.run(["run", sweep.path, "--dir", run, "--quiet"], ranks: nil)
            XCTAssertEqual(status, 0, output)
            let stderr = try String(contentsOf: URL(fileURLWithPath: run).appendingPathComponent("trials/00000/stderr.log"), encoding: .utf8)
            switch mode {
            case "flags": XCTAssertTrue(stderr.contains(#"argv ["--mode=x; touch pwned"]"#), stderr)
            case "json": XCTAssertTrue(stderr.contains(#"config {"mode":"x; touch pwned"}"#), stderr)
            default: XCTAssertTrue(stderr.contains(#"env "x; touch pwned""#), stderr)
            }
            let store = try SQLiteStore(path: run + "/sweep.db", readOnly: true)
            XCTAssertEqual(try store.trials().first?.state, .completed)
        }
        let made = FileManager.default.enumerator(atPath: dir.url.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix("pwned") } ?? []
        XCTAssertEqual(made, [], "no shell ran the value")
        XCTAssertFalse(FileManager.default.fileExists(atPath: FileManager.default.currentDirectoryPath + "/pwned"))
    }

    func testAProgramSectionIsCheckedWhereItIsWritten() throws {
        let cases: [(String, String)] = [
            ("program: {command: \"python3 train.py\"}", "program.command must be a list of arguments"),
            ("program: {command: [python3, t.py], args: shell}", "program.args"),
            ("program: {command: [python3, t.py]}\nmodel: mlp", "remove 'model'"),
        ]
        for (section, expected) in cases {
            let yaml = "name: bad\n\(section)\nbudget: {trials: 1, max_epochs: 1}\nparameters:\n  x: {values: [1, 2]}\n"
            XCTAssertThrowsError(try SweepSpec.parse(yaml: yaml, file: "bad.yaml", vocabulary: [:])) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(error)")
                XCTAssertTrue("\(error)".hasPrefix("bad.yaml:"), "file:line:column: \(error)")
            }
        }
    }

    func testThePyTorchExampleSweepsWhenTorchIsThere() throws {
        let torch = try Subprocess.run("/usr/bin/env", ["python3", "-c", "import torch, numpy"], environment: [:], timeout: 120)
        try XCTSkipUnless(torch.status == 0, "PyTorch not importable: pip install \"torch==2.13.0+cpu\" runs examples/pytorch's test")
        try XCTSkipUnless(FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist"), "no Fashion-MNIST: apt-get install dataset-fashion-mnist")
        let example = Self.root.appendingPathComponent("examples/pytorch/sweep.yaml")
        let text = try String(contentsOf: example, encoding: .utf8)
            .replacingOccurrences(of: "command: [python3, train.py]", with: "command: [python3, \(Self.root.appendingPathComponent("examples/pytorch/train.py").path)]")
            .replacingOccurrences(of: "trials: 20, max_epochs: 8", with: "trials: 3, max_epochs: 2")
            .replacingOccurrences(of: "grace_epochs: 2, reduction_factor: 3", with: "grace_epochs: 1, reduction_factor: 2")
            .replacingOccurrences(of: "top_k: 5", with: "top_k: 2")
        let sweep = dir.file("pytorch.yaml")
        try text.write(to: sweep, atomically: true, encoding: .utf8)
        let run = dir.file("pytorch").path
        let (status, output) = try self.run(["run", sweep.path, "--dir", run], ranks: nil, environment: ["FMNIST_TRAIN_EXAMPLES": "2000"])
        XCTAssertEqual(status, 0, output)
        let store = try SQLiteStore(path: run + "/sweep.db", readOnly: true)
        let trials = try store.trials()
        XCTAssertEqual(trials.count, 3)
        XCTAssertTrue(trials.allSatisfy { $0.state == .completed || $0.state == .pruned }, "\(trials.map(\.state)) \(output)")
        XCTAssertTrue(trials.contains { $0.state == .completed })
        XCTAssertEqual(try store.ensembles().count, 1, output)
        XCTAssertGreaterThan(try store.epochs(trial: 0).first?.validationAccuracy ?? 0, 0.5, "a real network learned")
    }
}
