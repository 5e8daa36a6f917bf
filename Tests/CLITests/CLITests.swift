// The built binary, as a user runs it: every subcommand's --help against its golden text
// (Tests/CLITests/Help; HPSEARCH_UPDATE_GOLDEN=1 rewrites them), and the output of `run`,
// `status`, `status --json`, `ensemble --json` and `export` on a small finished sweep, and
// `report`'s model sections on small table and image sweeps.
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Reports
import TestSupport
import XCTest

final class CLITests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let binary = root.appendingPathComponent(".build/debug/hpsearch").path
    static let goldens = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Help")
    static let subcommands = ["run", "resume", "status", "report", "export", "ensemble", "distill", "predict", "export-model", "simulate", "train", "check",
                              "lr-find", "params", "bench", "selftest"]

    override func setUpWithError() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: Self.binary), "build the hpsearch product first (swift build --build-tests builds it)")
    }

    /// Runs the binary with a fixed help width; returns exit status and combined output.
    func hpsearch(_ args: [String], timeout: Double = 300) throws -> (status: Int32, output: String) {
        try Subprocess.run(Self.binary, args, environment: ["COLUMNS": "100", "HPSEARCH_BLAS_THREADS": "1"], timeout: timeout)
    }

    func testTheTopLevelHelpListsExactlyTheSubcommandsTested() throws {
        let (status, out) = try hpsearch(["--help"])
        XCTAssertEqual(status, 0, out)
        let listed = out.components(separatedBy: "SUBCOMMANDS:").last!.split(separator: "\n")
            .compactMap { line -> String? in
                guard line.hasPrefix("  "), !line.hasPrefix("   ") else { return nil }
                return line.split(separator: " ").first.map(String.init)
            }
            .filter { $0 != "See" }
        XCTAssertEqual(listed, Self.subcommands, "a new subcommand needs its golden --help here")
    }

    func testEverySubcommandsHelpMatchesItsGoldenText() throws {
        let update = ProcessInfo.processInfo.environment["HPSEARCH_UPDATE_GOLDEN"] == "1"
        for sub in ["hpsearch"] + Self.subcommands {
            let (status, out) = try hpsearch(sub == "hpsearch" ? ["--help"] : [sub, "--help"])
            XCTAssertEqual(status, 0, "\(sub) --help: \(out)")
            let golden = Self.goldens.appendingPathComponent("\(sub).txt")
            if update {
                try out.write(to: golden, atomically: true, encoding: .utf8)
                continue
            }
            let expected = try String(contentsOf: golden, encoding: .utf8)
            if out != expected {
                let a = out.split(separator: "\n", omittingEmptySubsequences: false), b = expected.split(separator: "\n", omittingEmptySubsequences: false)
                let first = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }
                XCTFail("\(sub) --help differs from \(golden.lastPathComponent) at line \((first?.offset ?? min(a.count, b.count)) + 1): got '\(first.map { String($0.element.0) } ?? "")', expected '\(first.map { String($0.element.1) } ?? "")' (HPSEARCH_UPDATE_GOLDEN=1 swift test --filter CLITests rewrites the goldens)")
            }
        }
    }

    func testStatusJSONKeysAreDocumentedInHelpAndTheREADME() throws {
        let (_, help) = try hpsearch(["status", "--help"])
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        let flatHelp = help.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for key in StatusJSON.keys {
            XCTAssertTrue(flatHelp.contains("\(key.name) ("), "status --help does not document \(key.name)")
            XCTAssertTrue(readme.contains("`\(key.name)`"), "README.md does not document status --json's `\(key.name)`")
        }
    }

    /// docs/sweep-file.md's list of models, parameters and schedulers is `hpsearch params --markdown`,
    /// between its two markers (HPSEARCH_UPDATE_GOLDEN=1 rewrites it there).
    func testTheSweepFileReferencesParameterListIsGeneratedFromTheRegistries() throws {
        let (status, generated) = try hpsearch(["params", "--markdown"])
        XCTAssertEqual(status, 0, generated)
        for name in ["`model: mlp`", "`model: cnn`", "`learning_rate`", "`asha`", "`hyperband`", "`reduction_factor`"] {
            XCTAssertTrue(generated.contains(name), "params --markdown lacks \(name)")
        }
        let url = Self.root.appendingPathComponent("docs/sweep-file.md")
        let readme = try String(contentsOf: url, encoding: .utf8)
        let begin = "<!-- hpsearch params --markdown: begin -->\n", end = "<!-- hpsearch params --markdown: end -->"
        let start = try XCTUnwrap(readme.range(of: begin), "docs/sweep-file.md lacks the marker \(begin)")
        let stop = try XCTUnwrap(readme.range(of: end, range: start.upperBound..<readme.endIndex), "docs/sweep-file.md lacks the marker \(end)")
        let block = String(readme[start.upperBound..<stop.lowerBound])
        if ProcessInfo.processInfo.environment["HPSEARCH_UPDATE_GOLDEN"] == "1" {
            try (String(readme[..<start.upperBound]) + generated + String(readme[stop.lowerBound...])).write(to: url, atomically: true, encoding: .utf8)
            return
        }
        XCTAssertEqual(block, generated, "docs/sweep-file.md's parameter list is not `hpsearch params --markdown` (HPSEARCH_UPDATE_GOLDEN=1 swift test --filter CLITests rewrites it)")
    }

    /// examples/custom-model: a package that registers its own family (`funnel`) through
    /// HPSearchKit, built by scripts/test.sh into .build/custom-model. Its binary knows the family
    /// in `params`, refuses a misspelt parameter of it at the sweep file's line, and sweeps with it
    /// alone and under mpirun (every rank registers it).
    func testACustomModelFamilyThroughHPSearchKitSweepsAloneAndUnderMpirun() throws {
        let example = Self.root.appendingPathComponent(".build/custom-model/debug/funnel-search").path
        guard FileManager.default.isExecutableFile(atPath: example) else {
            return XCTFail("\(example) is missing: scripts/test.sh builds it (swift build --package-path examples/custom-model --scratch-path .build/custom-model)")
        }
        let dir = try TemporaryDirectory(prefix: "custom-model")
        try NoisyClassesCSV.text(rows: 600, features: 4, separation: 1, noise: 1.5, seed: 7).write(to: dir.file("data.csv"), atomically: true, encoding: .utf8)
        let yaml = try String(contentsOf: Self.root.appendingPathComponent("examples/custom-model/funnel.yaml"), encoding: .utf8)
        // No scheduler, so the results cannot depend on the order epochs arrive in under mpirun.
        let none = yaml.replacingOccurrences(of: "{type: asha, grace_epochs: 1, reduction_factor: 2}", with: "{type: none}")
        XCTAssertNotEqual(none, yaml, "the example's scheduler line changed: update this test")
        try none.write(to: dir.file("funnel.yaml"), atomically: true, encoding: .utf8)
        let env = ["HPSEARCH_BLAS_THREADS": "1"]

        let (paramsStatus, params) = try Subprocess.run(example, ["params"], environment: env)
        XCTAssertEqual(paramsStatus, 0, params)
        XCTAssertTrue(params.contains("model: funnel\n  start_width (integer ≥ 1, default 256)"), params)

        try yaml.replacingOccurrences(of: "  shrink:", with: "  shrnk:").write(to: dir.file("typo.yaml"), atomically: true, encoding: .utf8)
        let (typoStatus, typo) = try Subprocess.run(example, ["check", dir.file("typo.yaml").path], environment: env)
        XCTAssertNotEqual(typoStatus, 0)
        XCTAssertTrue(typo.contains("typo.yaml:11:3: model 'funnel' has no parameter 'shrnk'; did you mean 'shrink'?"), typo)

        let (aloneStatus, alone) = try Subprocess.run(example, ["run", dir.file("funnel.yaml").path, "--dir", dir.file("alone").path, "--quiet"], environment: env)
        XCTAssertEqual(aloneStatus, 0, alone)
        XCTAssertTrue(alone.contains("funnel: 4/4 trials"), alone)
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/mpirun") else { return XCTFail("mpirun not found: scripts/setup.sh installs openmpi-bin") }
        let (mpiStatus, mpi) = try Subprocess.run(Self.root.appendingPathComponent("scripts/launch.sh").path,
                                                 ["-n", "3", "--oversubscribe", "--", "run", dir.file("funnel.yaml").path, "--dir", dir.file("mpi").path, "--quiet"],
                                                 environment: env.merging(["HPSEARCH_BIN": example]) { $1 }, timeout: 300)
        XCTAssertEqual(mpiStatus, 0, mpi)
        // The same trials and metrics as alone: configuration and seed depend on (sweep seed, i) only.
        let (a, b) = (try Subprocess.run(Self.binary, ["status", dir.file("alone").path]).output, try Subprocess.run(Self.binary, ["status", dir.file("mpi").path]).output)
        func rows(_ table: String) -> [String] {
            table.split(separator: "\n").dropFirst(2).map { $0.split(separator: " ", omittingEmptySubsequences: true).enumerated().filter { $0.offset != 2 }.map(\.element).joined(separator: " ") }
        }
        XCTAssertEqual(rows(a), rows(b), "rank column aside, the same table:\n\(a)\n\(b)")
    }

    /// A two-class sweep ranked by val_auc, alone and under mpirun: every epoch carries val_auc
    /// and val_f1 through the wire and the store into status --json and export, identically.
    func testATwoClassSweepRankedByValidationAUCAloneAndUnderMpirun() throws {
        let dir = try TemporaryDirectory(prefix: "binary")
        let text = NoisyClassesCSV.text(rows: 600, features: 4, separation: 1, noise: 1.5, seed: 11).replacingOccurrences(of: ",c2\n", with: ",c0\n")
        try text.write(to: dir.file("data.csv"), atomically: true, encoding: .utf8)
        try """
        name: binary
        seed: 2
        data: {source: {csv: {path: data.csv, label: label, test_fraction: 0.2}}, validation: 0.25}
        model: mlp
        metric: {name: val_auc}
        budget: {trials: 4, max_epochs: 3}
        parameters:
          learning_rate: {distribution: log_uniform_values, min: 1.0e-3, max: 3.0e-2}
          width: {values: [8, 16]}
        """.write(to: dir.file("binary.yaml"), atomically: true, encoding: .utf8)
        var outputs: [[[String: Any]]] = []
        for (name, ranks) in [("alone", 0), ("mpi", 3)] {
            let args = ["run", dir.file("binary.yaml").path, "--dir", dir.file(name).path, "--quiet"]
            let (status, out) = ranks == 0 ? try hpsearch(args)
                : try Subprocess.run(Self.root.appendingPathComponent("scripts/launch.sh").path, ["-n", "3", "--oversubscribe", "--"] + args,
                                     environment: ["HPSEARCH_BIN": Self.binary, "HPSEARCH_BLAS_THREADS": "1"], timeout: 300)
            XCTAssertEqual(status, 0, out)
            let (_, json) = try hpsearch(["status", dir.file(name).path, "--json"])
            outputs.append(try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]], json))
        }
        for trials in outputs {
            XCTAssertEqual(trials.count, 4)
            let values = trials.compactMap { $0["value"] as? Double }
            XCTAssertEqual(values, values.sorted(by: >), "highest AUC first")
            for t in trials {
                let epochs = try XCTUnwrap(t["epochs"] as? [[String: Any]])
                XCTAssertTrue(epochs.allSatisfy { ($0["val_auc"] as? Double).map { $0 > 0.5 && $0 <= 1 } ?? false && $0["val_f1"] is Double }, "\(epochs)")
                let best = try XCTUnwrap(epochs.first { $0["epoch"] as? Int == t["best_epoch"] as? Int })
                XCTAssertEqual(best["val_auc"] as? Double, t["value"] as? Double)
            }
        }
        func strip(_ trials: [[String: Any]]) -> String { trials.map { "\($0["trial"]!) \($0["value"]!) \(($0["epochs"] as! [[String: Any]]).map { "\($0["val_auc"]!) \($0["val_f1"]!)" })" }.joined(separator: "\n") }
        XCTAssertEqual(strip(outputs[0]), strip(outputs[1]), "the metrics cross MPI unchanged")
        let (_, csv) = try hpsearch(["export", dir.file("mpi").path, "--format", "csv"])
        XCTAssertTrue(csv.hasPrefix("trial,state,seed,rank,param_learning_rate,param_width,best_value,epoch,train_loss,train_accuracy,val_loss,val_accuracy,learning_rate,seconds,val_auc,val_f1\n"), csv)
        // val_auc on a three-class table is refused before any rank starts, saying what works.
        try NoisyClassesCSV.text(rows: 300, features: 4, separation: 1, noise: 1.5, seed: 1).write(to: dir.file("data.csv"), atomically: true, encoding: .utf8)
        let (refused, message) = try hpsearch(["run", dir.file("binary.yaml").path, "--dir", dir.file("three").path])
        XCTAssertNotEqual(refused, 0)
        XCTAssertTrue(message.contains("val_auc needs two classes, and this data has 3 classes: use one of val_loss, val_accuracy"), message)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.file("three").path), "nothing created")
    }

    /// A sweep over an architecture written in the sweep file: `--summary` shows its layers, and
    /// it sweeps alone and under mpirun (workers evaluate the list from the sweep text) alike.
    func testALayerListSweepsAloneAndUnderMpirun() throws {
        let dir = try TemporaryDirectory(prefix: "layers")
        try NoisyClassesCSV.text(rows: 600, features: 6, separation: 0.8, noise: 2, seed: 5).write(to: dir.file("data.csv"), atomically: true, encoding: .utf8)
        try """
        name: layers
        seed: 9
        data: {source: {csv: {path: data.csv, label: label}}, validation: 0.2}
        model:
          layers:
            - dense: {units: "${width}"}
            - layer_norm
            - relu
            - residual:
                - dense: {units: "${width} / 2"}
                - activation: "${activation}"
            - dropout: {rate: 0.1}
        budget: {trials: 4, max_epochs: 3}
        parameters:
          width: {values: [16, 32]}
          activation: {values: [relu, tanh]}
          learning_rate: {distribution: log_uniform_values, min: 1.0e-3, max: 3.0e-2}
        """.write(to: dir.file("layers.yaml"), atomically: true, encoding: .utf8)
        let (sumStatus, summary) = try hpsearch(["train", dir.file("layers.yaml").path, "--summary"])
        XCTAssertEqual(sumStatus, 0, summary)
        XCTAssertTrue(summary.contains("residual") && summary.contains("projection") && summary.contains("input [N, 6] → output [N, 3]"), summary)
        var tables: [String] = []
        for (name, mpi) in [("alone", false), ("mpi", true)] {
            let args = ["run", dir.file("layers.yaml").path, "--dir", dir.file(name).path, "--quiet"]
            let (status, out) = mpi
                ? try Subprocess.run(Self.root.appendingPathComponent("scripts/launch.sh").path, ["-n", "3", "--oversubscribe", "--"] + args,
                                     environment: ["HPSEARCH_BIN": Self.binary, "HPSEARCH_BLAS_THREADS": "1"], timeout: 300)
                : try hpsearch(args)
            XCTAssertEqual(status, 0, out)
            let (_, json) = try hpsearch(["export", dir.file(name).path, "--format", "csv"])
            tables.append(json.split(separator: "\n").map { $0.split(separator: ",").enumerated().filter { ![3, 14].contains($0.offset) }.map(\.element).joined(separator: ",") }.joined(separator: "\n"))
        }
        XCTAssertEqual(tables[0], tables[1], "rank and seconds aside, the same epochs")
        XCTAssertGreaterThan(tables[0].split(separator: "\n").count, 4)
    }

    /// A table with a text column and gaps: one-hot and imputed, and `check` says so.
    func testCheckReportsTheTaskCategoricalColumnsAndImputation() throws {
        let dir = try TemporaryDirectory(prefix: "categorical")
        var text = "size,colour,label\n"
        for i in 0..<400 {
            let c = i % 2
            let size = i % 37 == 0 ? "" : String(format: "%.3f", Double(c) * 1.5 + Double((i * 7919) % 100) / 100)
            text += "\(size),\(["red", "green", "blue"][(i + c) % 3]),\(c == 0 ? "no" : "yes")\n"
        }
        try text.write(to: dir.file("data.csv"), atomically: true, encoding: .utf8)
        try """
        name: categorical
        seed: 1
        data: {source: {csv: {path: data.csv, label: label}}, validation: 0.25}
        model: mlp
        budget: {trials: 2, max_epochs: 2}
        parameters:
          width: {values: [8, 16]}
        """.write(to: dir.file("c.yaml"), atomically: true, encoding: .utf8)
        let (status, out) = try hpsearch(["check", dir.file("c.yaml").path, "--json"], timeout: 300)
        XCTAssertTrue(status == 0 || status == 1, out)
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(out.split(separator: "\n").last!.utf8)) as? [String: Any], out)
        let look = try XCTUnwrap((report["checks"] as? [[String: Any]])?.first, out)
        let summary = try XCTUnwrap(look["summary"] as? String)
        XCTAssertTrue(summary.hasPrefix("task: classification; "), summary)
        XCTAssertTrue(summary.contains("1 numeric, 1 categorical (one-hot: colour)"), summary)
        XCTAssertTrue(summary.contains("imputed with training medians + indicators: size"), summary)
        let values = try XCTUnwrap(look["values"] as? [String: Double])
        XCTAssertEqual(values["categorical_columns"], 1)
        XCTAssertEqual(values["missing_cells"], 11, "rows 0, 37, …, 370 have no size")
    }

    /// `check --save` takes a run directory (an existing one, or a new path ending in /) and writes
    /// check.json there, or a file path; a file in a missing folder is refused before the checks
    /// run, with what to do, never a raw Foundation error.
    func testCheckSaveWritesCheckJSONIntoARunDirectoryOrAFile() throws {
        let dir = try TemporaryDirectory(prefix: "cli-save")
        try NoisyClassesCSV.text(rows: 300, features: 3, separation: 2, noise: 1, seed: 4)
            .write(to: dir.file("data.csv"), atomically: true, encoding: .utf8)
        try """
        name: save
        seed: 1
        data: {source: {csv: {path: data.csv, label: label}}, validation: 0.25}
        model: mlp
        budget: {trials: 1, max_epochs: 2}
        parameters:
          width: {value: 8}
        """.write(to: dir.file("s.yaml"), atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(at: dir.file("existing"), withIntermediateDirectories: true)
        for (argument, written) in [(dir.file("existing").path, "existing/check.json"), (dir.file("fresh").path + "/", "fresh/check.json"),
                                    (dir.file("mine.json").path, "mine.json")] {
            let (status, out) = try hpsearch(["check", dir.file("s.yaml").path, "--save", argument])
            XCTAssertTrue(status == 0 || status == 1, out)
            let report = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.file(written))) as? [String: Any]
            XCTAssertEqual((report?["checks"] as? [Any])?.count, 9, "\(argument): \(out)")
            // A run directory also gets the pictures of what the network sees; a file alone does not.
            let pictures = dir.file(written).deletingLastPathComponent().appendingPathComponent("check")
            if written == "mine.json" {
                XCTAssertFalse(FileManager.default.fileExists(atPath: pictures.path), "no pictures beside a plain file")
                continue
            }
            XCTAssertEqual([UInt8](try Data(contentsOf: pictures.appendingPathComponent("inputs.png")).prefix(8)), [137, 80, 78, 71, 13, 10, 26, 10])
            let sidecar = try JSONSerialization.jsonObject(with: Data(contentsOf: pictures.appendingPathComponent("inputs.json"))) as? [String: Any]
            XCTAssertEqual(sidecar?["kind"] as? String, "table")
            XCTAssertEqual(sidecar?["shape"] as? [Int], [128, 3], "the first batch (the default batch size, 128) × 3 features")
            XCTAssertEqual((sidecar?["labels"] as? [Int])?.count, 64, "64 examples drawn at most")
            XCTAssertEqual(sidecar?["class_names"] as? [String], ["c0", "c1", "c2"])
            let svg = try String(contentsOf: pictures.appendingPathComponent("distributions.svg"), encoding: .utf8)
            XCTAssertTrue(svg.hasPrefix("<svg") && svg.contains("all 3 features"), String(svg.prefix(300)))
            XCTAssertTrue(out.contains("check/inputs.png"), out)
        }
        // A file where the pictures' folder belongs: an error naming the path and what to do.
        try FileManager.default.createDirectory(at: dir.file("blocked"), withIntermediateDirectories: true)
        try "not a folder".write(to: dir.file("blocked/check"), atomically: true, encoding: .utf8)
        let (blockedStatus, blocked) = try hpsearch(["check", dir.file("s.yaml").path, "--save", dir.file("blocked").path])
        XCTAssertNotEqual(blockedStatus, 0)
        XCTAssertTrue(blocked.contains("cannot create \(dir.file("blocked/check").path) for the check's pictures") && blocked.contains("check the run directory's permissions"), blocked)
        XCTAssertFalse(blocked.contains("NSCocoaErrorDomain"), blocked)
        let (status, out) = try hpsearch(["check", dir.file("s.yaml").path, "--save", dir.file("missing/check.json").path])
        XCTAssertNotEqual(status, 0)
        XCTAssertTrue(out.contains("does not exist; create it, or give a run directory ending in /"), out)
        XCTAssertFalse(out.contains("NSCocoaErrorDomain"), out)
        XCTAssertFalse(out.contains("checking:"), "refused before the checks ran: \(out)")
    }

    /// `check --save RUN_DIR/` on images (a NumPy file of 8×8 greyscale pictures): check/inputs.png
    /// is a grid of the first batch's tiles, inputs.json says how to read it; no distributions.svg.
    func testCheckSaveDrawsTheFirstImageBatchIntoTheRunDirectory() throws {
        let dir = try TemporaryDirectory(prefix: "cli-inputs")
        let n = 120
        var pixels: [UInt8] = [], labels: [UInt8] = []
        for i in 0..<n {
            let c = i % 2
            for y in 0..<8 { for x in 0..<8 { pixels.append(UInt8(((c == 0 ? x : y) * 32 + i * 7) % 256)) } }
            labels.append(UInt8(c))
        }
        try Self.npy(pixels, shape: [n, 8, 8]).write(to: dir.file("x.npy"))
        try Self.npy(labels, shape: [n]).write(to: dir.file("y.npy"))
        try """
        name: pictures
        seed: 3
        data: {source: {npy: {x: x.npy, y: y.npy, test_fraction: 0.2}}, validation: 0.2}
        model: mlp
        budget: {trials: 1, max_epochs: 2}
        parameters:
          width: {value: 8}
          batch_size: {value: 40}
        """.write(to: dir.file("s.yaml"), atomically: true, encoding: .utf8)
        let (status, out) = try hpsearch(["check", dir.file("s.yaml").path, "--save", dir.file("run").path + "/"])
        XCTAssertTrue(status == 0 || status == 1, out)
        let png = try Data(contentsOf: dir.file("run/check/inputs.png"))
        XCTAssertEqual([UInt8](png.prefix(8)), [137, 80, 78, 71, 13, 10, 26, 10])
        let sidecar = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: dir.file("run/check/inputs.json"))) as? [String: Any])
        XCTAssertEqual(sidecar["kind"] as? String, "image")
        XCTAssertEqual(sidecar["image_shape"] as? [Int], [8, 8, 1])
        XCTAssertEqual(sidecar["shape"] as? [Int], [40, 64])
        XCTAssertEqual((sidecar["indices"] as? [Int])?.count, 40)
        XCTAssertEqual(sidecar["scale"] as? Int, 3)
        let low = try XCTUnwrap(sidecar["low"] as? Double), high = try XCTUnwrap(sidecar["high"] as? Double)
        XCTAssertLessThan(low, high)
        // IHDR: the grid of 40 tiles, 7 columns of (8 × 3 + gap) pixels.
        let width = png[16..<20].reduce(0) { $0 << 8 | Int($1) }
        XCTAssertEqual(width, 7 * 24 + 8 * (sidecar["gap"] as? Int ?? 0))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.file("run/check/distributions.svg").path), "images get no per-pixel histograms")
    }

    /// A NumPy .npy file (format 1.0) of unsigned bytes.
    static func npy(_ values: [UInt8], shape: [Int]) -> Data {
        var header = "{'descr': '|u1', 'fortran_order': False, 'shape': (" + shape.map(String.init).joined(separator: ", ")
            + (shape.count == 1 ? ",), }" : "), }")
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)])
        data.append(Data(header.utf8))
        data.append(Data(values))
        return data
    }

    /// The report's model sections on a real small sweep: where the model fails (a confusion
    /// matrix for the best trial and for the ensemble, its most confidently wrong rows), the
    /// baselines (first how to add them, then check.json's against the models), no first layer
    /// for a table; and with the data file moved, the page still renders and says why.
    func testTheReportShowsWhereTheModelFailsAndTheBaselines() throws {
        let dir = try TemporaryDirectory(prefix: "cli-report")
        try NoisyClassesCSV.text(rows: 400, features: 3, separation: 1, noise: 1.5, seed: 3)
            .write(to: dir.file("data.csv"), atomically: true, encoding: .utf8)
        try """
        name: insight
        seed: 2
        data: {source: {csv: {path: data.csv, label: label, test_fraction: 0.2}}, validation: 0.25}
        model: mlp
        budget: {trials: 3, max_epochs: 2}
        parameters:
          learning_rate: {distribution: log_uniform_values, min: 1.0e-3, max: 1.0e-2}
          width: {value: 8}
        ensemble: {top_k: 2, method: average}
        """.write(to: dir.file("s.yaml"), atomically: true, encoding: .utf8)
        let run = dir.file("run").path
        let (runStatus, runOut) = try hpsearch(["run", dir.file("s.yaml").path, "--dir", run, "--quiet"])
        XCTAssertEqual(runStatus, 0, runOut)
        func report() throws -> String {
            let (status, out) = try hpsearch(["report", run])
            XCTAssertEqual(status, 0, out)
            return try String(contentsOf: dir.file("run/report.html"), encoding: .utf8)
        }
        var page = try report()
        for heading in ["Where the model fails", "Baselines to beat"] { XCTAssertTrue(page.contains("<h2>\(heading)</h2>"), heading) }
        XCTAssertFalse(page.contains("<h2>First layer</h2>"), "a table has no first-layer pictures")
        XCTAssertEqual(page.components(separatedBy: "class=\"chart confusion\"").count - 1, 2, "the best trial and the ensemble")
        XCTAssertTrue(page.contains("most confidently wrong") && page.contains("<tr class=\"wrong\">"))
        XCTAssertTrue(page.contains("On the validation split (80 rows; the test split is not read)"), "400 rows, 20% test, 25% of the rest")
        XCTAssertTrue(page.contains("Run <code>hpsearch check SWEEP --save RUN_DIR</code> to add baselines"))
        XCTAssertTrue(XMLParser(data: Data(page.utf8)).parse(), "well-formed XHTML")

        let (checkStatus, checkOut) = try hpsearch(["check", dir.file("s.yaml").path, "--save", run])
        XCTAssertTrue(checkStatus == 0 || checkStatus == 1, checkOut)
        page = try report()
        XCTAssertTrue(page.contains("softmax regression (check 8)") && page.contains("data-beats=\"true\""), page)
        XCTAssertEqual(page.components(separatedBy: "<tr class=\"model\">").count - 1, 2, "the best trial and the ensemble")

        try FileManager.default.moveItem(at: dir.file("data.csv"), to: dir.file("moved.csv"))
        page = try report()
        XCTAssertTrue(page.contains("Not shown: the sweep&#39;s data could not be loaded"), page)
        XCTAssertTrue(page.contains("softmax regression (check 8)"), "the baselines need no data")
        XCTAssertTrue(XMLParser(data: Data(page.utf8)).parse(), "well-formed XHTML")
    }

    /// The report of a small CNN sweep on 8×8 images (an MNIST-layout IDX directory written
    /// here): the first conv layer's filters as one picture, the wrong examples as pictures.
    func testTheReportOfAnImageSweepShowsTheFirstLayerAndPictures() throws {
        let dir = try TemporaryDirectory(prefix: "cli-images")
        let images = dir.file("images")
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        // Three classes: a bright 3×3 blob at the top left, top right or bottom, on seeded noise.
        var state: UInt64 = 12345
        func noise() -> UInt8 { state = state &* 6364136223846793005 &+ 1442695040888963407; return UInt8((state >> 60) * 3) }
        func write(_ prefix: String, count: Int) throws {
            var pixels = [UInt8](), labels = [UInt8]()
            for i in 0..<count {
                let label = i % 3, (y0, x0) = [(0, 0), (0, 5), (5, 2)][label]
                for y in 0..<8 { for x in 0..<8 { pixels.append((y0..<(y0 + 3)).contains(y) && (x0..<(x0 + 3)).contains(x) ? 200 + noise() : noise()) } }
                labels.append(UInt8(label))
            }
            func header(_ magic: UInt8, _ dims: [Int]) -> [UInt8] {
                [0, 0, 8, magic] + dims.flatMap { d in (0..<4).reversed().map { UInt8((d >> (8 * $0)) & 0xFF) } }
            }
            try Data(header(3, [count, 8, 8]) + pixels).write(to: images.appendingPathComponent("\(prefix)-images-idx3-ubyte"))
            try Data(header(1, [count]) + labels).write(to: images.appendingPathComponent("\(prefix)-labels-idx1-ubyte"))
        }
        try write("train", count: 300)
        try write("t10k", count: 60)
        try """
        name: images
        seed: 4
        data: {source: {idx: {dir: images}}, validation: 60}
        model: cnn
        budget: {trials: 2, max_epochs: 1}
        parameters:
          learning_rate: {distribution: log_uniform_values, min: 1.0e-3, max: 3.0e-3}
          channels: {value: 4}
          conv_blocks: {value: 1}
          kernel: {value: 3}
          dense_width: {value: 8}
          batch_size: {value: 32}
        """.write(to: dir.file("s.yaml"), atomically: true, encoding: .utf8)
        let run = dir.file("run").path
        let (runStatus, runOut) = try hpsearch(["run", dir.file("s.yaml").path, "--dir", run, "--quiet"])
        XCTAssertEqual(runStatus, 0, runOut)
        let (status, out) = try hpsearch(["report", run])
        XCTAssertEqual(status, 0, out)
        let page = try String(contentsOf: dir.file("run/report.html"), encoding: .utf8)
        XCTAssertTrue(XMLParser(data: Data(page.utf8)).parse(), "well-formed XHTML")
        XCTAssertTrue(page.contains("<h2>First layer</h2>") && page.contains("first conv2d layer's filters"), page)
        XCTAssertTrue(page.contains("data-tiles=\"4\""), "4 filters × 1 channel")
        XCTAssertTrue(page.contains("<img class=\"first-layer\" src=\"data:image/png;base64,"))
        XCTAssertTrue(page.contains("(x / scale + mean)"), "pixels mapped back with the fitted transform's inverse")
        XCTAssertTrue(page.contains("<img class=\"example\" src=\"data:image/png;base64,") || page.contains("gets every validation example right"))
        XCTAssertEqual(page.components(separatedBy: "class=\"chart confusion\"").count - 1, 1, "the best trial; no ensemble stored")
    }

    /// One small sweep (size-1 world, 6 trials × ≤ 3 epochs on a 900-row CSV), then what a user
    /// reads from it.
    func testASmallFinishedSweepAsAUserReadsIt() throws {
        let dir = try TemporaryDirectory(prefix: "cli")
        let text = NoisyClassesCSV.text(rows: 900, features: 4, separation: 1, noise: 1.5, seed: 99)
        try text.write(to: dir.file("data.csv"), atomically: true, encoding: .utf8)
        try """
        name: cli
        seed: 5
        data: {source: {csv: {path: data.csv, label: label, test_fraction: 0.2}}, validation: 0.2}
        model: mlp
        budget: {trials: 6, max_epochs: 3}
        early_stopping: {scheduler: {type: asha, grace_epochs: 1, reduction_factor: 2}}
        parameters:
          learning_rate: {distribution: log_uniform_values, min: 1.0e-3, max: 3.0e-2}
          width: {values: [8, 16]}
          batch_size: {value: 64}
        ensemble: {top_k: 3, method: average}
        """.write(to: dir.file("cli.yaml"), atomically: true, encoding: .utf8)
        let run = dir.file("run").path

        let (runStatus, runOut) = try hpsearch(["run", dir.file("cli.yaml").path, "--dir", run, "--quiet"])
        XCTAssertEqual(runStatus, 0, runOut)
        XCTAssertTrue(runOut.contains("cli: 6/6 trials — "), runOut)
        XCTAssertTrue(runOut.contains("ensemble (average) — selected on validation predictions"), runOut)
        XCTAssertTrue(runOut.contains("6 trials in "), runOut)

        // What was fitted on the training split is kept with the run, as JSON.
        let transform = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.file("run/transform.json"))) as? [String: Any])
        XCTAssertEqual((transform["columns"] as? [Any])?.count, 4, "\(transform)")

        // The table: a header, then one row per trial, best first.
        let (tableStatus, table) = try hpsearch(["status", run])
        XCTAssertEqual(tableStatus, 0, table)
        let lines = table.split(separator: "\n")
        XCTAssertEqual(lines.count, 8, table)
        XCTAssertTrue(lines[1].hasPrefix("trial  state          rank  epochs  val_loss   val_acc   config"), table)

        // status --json: every documented key, in order, for every trial; epochs as export has them.
        let (jsonStatus, json) = try hpsearch(["status", run, "--json"])
        XCTAssertEqual(jsonStatus, 0, json)
        let trials = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]], json)
        XCTAssertEqual(trials.count, 6)
        XCTAssertEqual(Set(trials.compactMap { $0["trial"] as? Int }), Set(0..<6))
        for t in trials {
            XCTAssertEqual(Set(t.keys), Set(StatusJSON.keys.map(\.name)), "\(t)")
            let epochs = try XCTUnwrap(t["epochs"] as? [[String: Any]])
            XCTAssertEqual(epochs.count, t["epochs_finished"] as? Int)
            XCTAssertEqual(epochs.map { $0["epoch"] as? Int }, Array(1...max(epochs.count, 1)).prefix(epochs.count).map { $0 })
            XCTAssertEqual(Set(epochs.first?.keys ?? [:].keys), ["epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "learning_rate", "seconds"])
            XCTAssertEqual(t["state"] as? String == "pruned" || t["state"] as? String == "completed", true, "\(t)")
        }
        let values = trials.compactMap { $0["value"] as? Double }
        XCTAssertEqual(values, values.sorted(), "best (lowest val_loss) first")
        XCTAssertEqual(trials.first?["val_loss"] as? Double, values.first)
        // The keys sit in the documented order in the text itself.
        let firstObject = json.dropFirst().prefix { $0 != "\n" }
        let positions = StatusJSON.keys.map { firstObject.range(of: "\"\($0.name)\":")?.lowerBound }
        XCTAssertFalse(positions.contains(nil), String(firstObject))
        XCTAssertEqual(positions.compactMap { $0 }, positions.compactMap { $0 }.sorted(), String(firstObject))

        // status --trial N: the trial's epochs, per-layer health and flags; --json adds `health`.
        let (trialStatus, trialText) = try hpsearch(["status", run, "--trial", "0"])
        XCTAssertEqual(trialStatus, 0, trialText)
        for part in ["trial 0:", "training health at epoch", "grad_norm", "update/w", "gradient norm by epoch:", "flags:"] {
            XCTAssertTrue(trialText.contains(part), "\(part) missing from:\n\(trialText)")
        }
        let (trialJSONStatus, trialJSON) = try hpsearch(["status", run, "--trial", "0", "--json"])
        XCTAssertEqual(trialJSONStatus, 0, trialJSON)
        let one = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(trialJSON.utf8)) as? [String: Any], trialJSON)
        XCTAssertEqual(Set(one.keys), Set(StatusJSON.keys.map(\.name) + [StatusJSON.healthKey.name]))
        let health = try XCTUnwrap(one["health"] as? [[String: Any]])
        XCTAssertEqual(health.map { $0["epoch"] as? Int }, Array(0...(one["epochs_finished"] as! Int)).map { $0 }, "epoch 0 and every epoch")
        let layer = try XCTUnwrap((health.last?["layers"] as? [[String: Any]])?.first)
        XCTAssertEqual(Set(layer.keys), ["layer", "name", "activation", "parameters", "grad_norm", "weight_norm", "update_ratio",
                                         "activation_mean", "activation_std", "dead_fraction", "saturation"])
        XCTAssertTrue(health[0]["layers"].flatMap { ($0 as? [[String: Any]])?.first?["update_ratio"] } is NSNull, "no step before epoch 1")
        XCTAssertEqual((health.last?["probe"] as? [Any])?.count, 16 * (health.last?["probe_outputs"] as? Int ?? 0))
        // train --json carries the health flags too (a healthy small MLP: none).
        let (trainStatus, trainText) = try hpsearch(["train", dir.file("cli.yaml").path, "--epochs", "2", "--json"])
        XCTAssertEqual(trainStatus, 0, trainText)
        XCTAssertTrue(trainText.contains("training health: no flags"), trainText)
        let trained = try XCTUnwrap(trainText.split(separator: "\n").last.flatMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }, trainText)
        XCTAssertEqual((trained["health_flags"] as? [Any])?.count, 0, "\(trained)")
        let (noTrialStatus, noTrial) = try hpsearch(["status", run, "--trial", "99"])
        XCTAssertNotEqual(noTrialStatus, 0)
        XCTAssertTrue(noTrial.contains("has no trial 99"), noTrial)

        // ensemble --json: members, best single and the ensemble, each with the table's fields.
        let (ensembleStatus, ensembleText) = try hpsearch(["ensemble", run, "--json", "--top", "3"])
        XCTAssertEqual(ensembleStatus, 0, ensembleText)
        let ensemble = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(ensembleText.utf8)) as? [String: Any], ensembleText)
        XCTAssertEqual(ensemble["method"] as? String, "average")
        let members = try XCTUnwrap(ensemble["members"] as? [[String: Any]])
        let excluded = try XCTUnwrap(ensemble["excluded"] as? [[String: Any]])
        XCTAssertEqual(members.count + excluded.count, 3, "each of the top 3 is a member or left out, with why")
        for x in excluded { XCTAssertGreaterThan(try XCTUnwrap(x["val_nll_with"] as? Double), try XCTUnwrap(x["val_nll_without"] as? Double)) }
        let entryKeys: Set<String> = ["name", "test_accuracy", "test_nll", "test_ece", "test_brier", "val_accuracy", "val_nll", "params", "flops_per_example"]
        for m in members { XCTAssertTrue(entryKeys.union(["trial", "weight"]).isSubset(of: Set(m.keys)), "\(m)") }
        let best = try XCTUnwrap(ensemble["best_single"] as? [String: Any])
        XCTAssertEqual(best["trial"] as? Int, trials.first?["trial"] as? Int, "the best single model is status's first trial")
        XCTAssertTrue(entryKeys.isSubset(of: Set(try XCTUnwrap(ensemble["ensemble"] as? [String: Any]).keys)))
        XCTAssertEqual(members.compactMap { $0["weight"] as? Double }.reduce(0, +), 1, accuracy: 1e-9)
        let (allStatus, allText) = try hpsearch(["ensemble", run, "--json", "--top", "3", "--keep-all"])
        XCTAssertEqual(allStatus, 0, allText)
        let all = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(allText.utf8)) as? [String: Any])
        XCTAssertEqual((all["members"] as? [Any])?.count, 3, "--keep-all averages all three")

        // export: one CSV row per epoch, as many as status --json lists.
        let (csvStatus, csv) = try hpsearch(["export", run, "--format", "csv"])
        XCTAssertEqual(csvStatus, 0, csv)
        let rows = csv.split(separator: "\n")
        XCTAssertEqual(rows.first, "trial,state,seed,rank,param_learning_rate,param_width,param_batch_size,best_value,epoch,train_loss,train_accuracy,val_loss,val_accuracy,learning_rate,seconds")
        XCTAssertEqual(rows.count - 1, trials.map { ($0["epochs"] as? [Any])?.count ?? 0 }.reduce(0, +))
        let (exportStatus, exported) = try hpsearch(["export", run, "--format", "json"])
        XCTAssertEqual(exportStatus, 0, exported)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(exported.utf8)) as? [String: Any])
        XCTAssertEqual((object["trials"] as? [Any])?.count, 6)

        // A mistake gets a message and a failing status, never a trace.
        let (missing, missingOut) = try hpsearch(["status", dir.file("nowhere").path])
        XCTAssertNotEqual(missing, 0)
        XCTAssertTrue(missingOut.contains("holds no sweep"), missingOut)
    }
}
