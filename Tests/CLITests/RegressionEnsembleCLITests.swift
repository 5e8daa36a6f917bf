// A regression sweep's ensemble and distillation through the built binary: the tables show RMSE,
// MAE and R², `ensemble --json` and `distill --json` give the regression keys (and no
// classification ones), and every key is documented in the command's --help.
import Foundation
import TestSupport
import XCTest

final class RegressionEnsembleCLITests: XCTestCase {
    override func setUpWithError() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: CLITests.binary), "build the hpsearch product first (swift build --build-tests builds it)")
    }

    func hpsearch(_ args: [String], timeout: Double = 300) throws -> (status: Int32, output: String) {
        try Subprocess.run(CLITests.binary, args, environment: ["COLUMNS": "100", "HPSEARCH_BLAS_THREADS": "1"], timeout: timeout)
    }

    /// 600 rows: four features, y = Σ x + noise and z = 100 (x₀ − x₁) + 50 + noise (two scales).
    static func csv() -> String {
        var state: UInt64 = 7
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return (Double(state >> 11) + 0.5) / Double(1 << 53)
        }
        func normal() -> Double { (-2 * log(uniform())).squareRoot() * cos(2 * .pi * uniform()) }
        var lines = ["a,b,c,d,y,z"]
        for _ in 0..<600 {
            let x = (0..<4).map { _ in normal() }
            let y = x.reduce(0, +) + 0.3 * normal(), z = 100 * (x[0] - x[1]) + 50 + 5 * normal()
            lines.append((x + [y, z]).map { String(format: "%.4f", $0) }.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static let regressionKeys: Set<String> = ["val_rmse", "val_mae", "val_r2", "test_rmse", "test_mae", "test_r2"]
    static let classificationKeys: Set<String> = ["val_accuracy", "val_nll", "test_accuracy", "test_nll", "test_brier", "test_ece"]

    func testARegressionSweepsEnsembleAndDistillationAsAUserReadsThem() throws {
        let dir = try TemporaryDirectory(prefix: "cli-regression")
        try Self.csv().write(to: dir.file("data.csv"), atomically: true, encoding: .utf8)
        try """
        name: reg
        seed: 5
        task: regression
        data: {source: {csv: {path: data.csv, label: [y, z], test_fraction: 0.2}}, validation: 0.2}
        model: mlp
        budget: {trials: 5, max_epochs: 4}
        parameters:
          learning_rate: {distribution: log_uniform_values, min: 3.0e-3, max: 3.0e-2}
          width: {values: [8, 16]}
          batch_size: {value: 64}
        ensemble: {top_k: 3, method: average}
        distill:
          alpha: {distribution: uniform, min: 0.5, max: 0.9}
          trials: 2
          student: {width: 4}
        """.write(to: dir.file("reg.yaml"), atomically: true, encoding: .utf8)
        let run = dir.file("run").path
        let (runStatus, runOut) = try hpsearch(["run", dir.file("reg.yaml").path, "--dir", run, "--quiet"])
        XCTAssertEqual(runStatus, 0, runOut)
        XCTAssertTrue(runOut.contains("model              weight val_rmse   test_rmse  test_mae   test_r2     params  flops/example"), runOut)
        XCTAssertFalse(runOut.contains("test_acc"), runOut)

        for method in ["average", "greedy"] {
            let (status, text) = try hpsearch(["ensemble", run, "--json", "--top", "3", "--method", method, "--steps", "10"])
            XCTAssertEqual(status, 0, text)
            let ensemble = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], text)
            let members = try XCTUnwrap(ensemble["members"] as? [[String: Any]])
            var entries = members
            entries.append(try XCTUnwrap(ensemble["best_single"] as? [String: Any]))
            entries.append(try XCTUnwrap(ensemble["ensemble"] as? [String: Any]))
            for e in entries {
                XCTAssertTrue(Self.regressionKeys.isSubset(of: Set(e.keys)), "\(e)")
                XCTAssertTrue(Self.classificationKeys.isDisjoint(with: Set(e.keys)), "\(e)")
                XCTAssertGreaterThan(try XCTUnwrap(e["test_rmse"] as? Double), 0)
            }
            let best = try XCTUnwrap(ensemble["best_single"] as? [String: Any]), combined = try XCTUnwrap(ensemble["ensemble"] as? [String: Any])
            if method == "average" {
                let excluded = try XCTUnwrap(ensemble["excluded"] as? [[String: Any]])
                XCTAssertEqual(members.count + excluded.count, 3)
                for x in excluded { XCTAssertGreaterThan(try XCTUnwrap(x["val_mse_with"] as? Double), try XCTUnwrap(x["val_mse_without"] as? Double)) }
                if excluded.count == 2 { XCTAssertEqual(combined["val_rmse"] as? Double, best["val_rmse"] as? Double, "the best trial alone") }
            } else {
                let losses = try XCTUnwrap(ensemble["greedy_losses"] as? [Double]), step = try XCTUnwrap(ensemble["greedy_best_step"] as? Int)
                XCTAssertLessThanOrEqual(losses[step], losses[0])
            }
        }
        let (tableStatus, table) = try hpsearch(["ensemble", run, "--top", "3"])
        XCTAssertEqual(tableStatus, 0, table)
        XCTAssertTrue(table.contains("ensemble − best single: test RMSE "), table)

        let (distillStatus, distilled) = try hpsearch(["distill", run, "--json"])
        XCTAssertEqual(distillStatus, 0, distilled)
        // The JSON object is the last line of the output.
        let last = try XCTUnwrap(distilled.split(separator: "\n").last { $0.hasPrefix("{") })
        let d = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any], distilled)
        for key in ["student", "control", "best_single", "ensemble"] {
            let e = try XCTUnwrap(d[key] as? [String: Any], key)
            XCTAssertTrue(Self.regressionKeys.isSubset(of: Set(e.keys)), "\(key): \(e)")
            XCTAssertTrue(Self.classificationKeys.isDisjoint(with: Set(e.keys)), "\(key): \(e)")
        }
        let students = try XCTUnwrap(d["students"] as? [[String: Any]])
        XCTAssertEqual(students.count, 2)
        for s in students { XCTAssertEqual(Set(s.keys), ["trial", "temperature", "alpha", "val_rmse", "test_rmse"], "\(s)") }

        // predict: the distilled student on the data file (targets present: RMSE printed), its
        // student's stored predictions' units; the regression ensemble through ONNX.
        let studentOut = dir.file("student.csv")
        let (ps, po) = try hpsearch(["predict", run, "--input", dir.file("data.csv").path, "--student", "-o", studentOut.path])
        XCTAssertEqual(ps, 0, po)
        XCTAssertTrue(po.contains("with distilled student"), po)
        XCTAssertTrue(po.contains("rmse "), po)
        let header = try String(contentsOf: studentOut, encoding: .utf8).split(separator: "\n").first
        XCTAssertEqual(header, "y,z", "one column per target, named as the target")
        let reference = dir.file("ensemble.npy")
        XCTAssertEqual(try hpsearch(["predict", run, "--input", dir.file("data.csv").path, "-o", reference.path]).status, 0)
        let (xs, xo) = try hpsearch(["export-model", run, "--format", "onnx", "-o", dir.file("reg.onnx").path])
        XCTAssertEqual(xs, 0, xo)
        let card = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.file("reg.onnx.json"))) as? [String: Any])
        XCTAssertEqual(card["task"] as? String, "regression")
        XCTAssertNotNil(((card["metrics"] as? [String: Any])?["test"] as? [String: Any])?["rmse"])
        if let python = PredictExportCLITests.python {
            let script = """
            import sys, numpy as np, onnxruntime as ort
            x = np.loadtxt(sys.argv[2], delimiter=",", skiprows=1, usecols=(0, 1, 2, 3), dtype=np.float32)
            out = ort.InferenceSession(sys.argv[1], providers=["CPUExecutionProvider"]).run(None, {"input": x})[0]
            ref = np.load(sys.argv[3])
            d = float(np.abs(out - ref).max() / np.abs(ref).max())
            print("max_rel_diff", d)
            assert out.shape == ref.shape and d < 1e-5
            """
            try script.write(to: dir.file("reg.py"), atomically: true, encoding: .utf8)
            let r = try Subprocess.run("/usr/bin/env", [python, dir.file("reg.py").path, dir.file("reg.onnx").path, dir.file("data.csv").path, reference.path],
                                       environment: [:], timeout: 120)
            XCTAssertEqual(r.status, 0, r.output)
        }

        // Every key is documented in --help.
        for (command, keys) in [("ensemble", Self.regressionKeys.union(["val_mse_without", "val_mse_with", "greedy_losses"])),
                                ("distill", Self.regressionKeys.union(["kept_gain", "cost_ratio", "students"]))] {
            let (_, help) = try hpsearch([command, "--help"])
            let flat = help.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            for key in keys { XCTAssertTrue(flat.contains(key), "\(command) --help does not document \(key)") }
        }
    }
}
