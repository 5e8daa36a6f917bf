// `hpsearch predict` and `hpsearch export-model` through the built binary, on small finished
// sweeps: predict reproduces a trial's and an ensemble's stored test predictions bit for bit;
// bad inputs are refused with their file, line and column, and nothing is written; an exported
// ONNX graph (MLP with missing values imputed in the graph, a CNN with a residual block and
// batch norm, an ensemble) run by onnxruntime agrees with predict within 1e-4; a safetensors
// file read by the `safetensors` package reproduces predict's probabilities through a NumPy
// forward pass of its own metadata. The onnxruntime / safetensors parts are skipped, with a
// message, without those packages (scripts/setup.sh --with-onnx installs them).
import Datasets
import Foundation
import TestSupport
import XCTest

final class PredictExportCLITests: XCTestCase {
    struct SweepFailed: Error, CustomStringConvertible {
        var output: String
        var description: String { "the sweep failed: \(output)" }
    }

    override func setUpWithError() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: CLITests.binary), "build the hpsearch product first (swift build --build-tests builds it)")
    }

    func hpsearch(_ args: [String], timeout: Double = 600) throws -> (status: Int32, output: String) {
        try Subprocess.run(CLITests.binary, args, environment: ["COLUMNS": "100", "HPSEARCH_BLAS_THREADS": "1"], timeout: timeout)
    }

    /// The Python that has onnxruntime, safetensors and numpy (HPSEARCH_PYTHON, the setup's
    /// virtual environment, or python3), or nil.
    static let python: String? = {
        let env = ProcessInfo.processInfo.environment
        let candidates = [env["HPSEARCH_PYTHON"], CLITests.root.appendingPathComponent(".venv-onnx/bin/python3").path, "/usr/bin/python3", "python3"].compactMap { $0 }
        for p in candidates {
            if let r = try? Subprocess.run("/usr/bin/env", [p, "-c", "import onnxruntime, safetensors, numpy"], environment: [:], timeout: 60), r.status == 0 {
                return p
            }
        }
        return nil
    }()

    static func uniformStream(_ seed: UInt64) -> () -> Double {
        var state = seed
        return {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return (Double(state >> 11) + 0.5) / Double(1 << 53)
        }
    }

    /// Rows of a three-class table: numeric a, b (some b missing), a categorical colour; the
    /// class depends on a + b and the colour.
    static func table(rows: Int, seed: UInt64, categorical: Bool) -> String {
        let u = uniformStream(seed)
        let colours = ["red", "green", "blue"]
        var lines = [categorical ? "a,b,colour,label" : "a,b,c,label"]
        for _ in 0..<rows {
            let a = 4 * u() - 2, b = 4 * u() - 2, k = Int(u() * 3)
            let score = a + b + (categorical ? Double(k) - 1 : 0) + 0.3 * (u() - 0.5)
            let label = score < -0.7 ? "low" : (score < 0.7 ? "mid" : "high")
            let bText = u() < 0.1 ? "" : String(format: "%.4f", b)
            let third = categorical ? colours[k] : String(format: "%.4f", u())
            lines.append("\(String(format: "%.4f", a)),\(bText),\(third),\(label)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func floats(_ url: URL) throws -> [Float] {
        let a = try NPY.read(path: url.path)
        return a.floats()
    }

    func run(_ dir: TemporaryDirectory, _ yaml: String, trials: Int) throws -> String {
        try yaml.write(to: dir.file("s.yaml"), atomically: true, encoding: .utf8)
        let run = dir.file("run").path
        let (status, out) = try hpsearch(["run", dir.file("s.yaml").path, "--dir", run, "--quiet"])
        guard status == 0 else { throw SweepFailed(output: out) }
        let (es, eo) = try hpsearch(["ensemble", run, "--top", "3", "--keep-all"])
        XCTAssertEqual(es, 0, eo)
        return run
    }

    /// The members and weights of the newest ensemble (ensemble --json is printed again from the store).
    func ensembleMembers(_ run: String) throws -> (members: [(Int, Double)], testAccuracy: Double) {
        let (s, o) = try hpsearch(["ensemble", run, "--top", "3", "--keep-all", "--json"])
        XCTAssertEqual(s, 0, o)
        let json = try JSONSerialization.jsonObject(with: Data(o.utf8)) as! [String: Any]
        let members = (json["members"] as! [[String: Any]]).map { ($0["trial"] as! Int, $0["weight"] as! Double) }
        return (members, (json["ensemble"] as! [String: Any])["test_accuracy"] as! Double)
    }

    func testPredictReproducesStoredTestPredictionsAndRefusesBadInputs() throws {
        let dir = try TemporaryDirectory(prefix: "cli-predict")
        try Self.table(rows: 500, seed: 3, categorical: true).write(to: dir.file("train.csv"), atomically: true, encoding: .utf8)
        try Self.table(rows: 120, seed: 4, categorical: true).write(to: dir.file("test.csv"), atomically: true, encoding: .utf8)
        let run = try self.run(dir, """
        name: tab
        seed: 2
        data: {source: {csv: {path: train.csv, label: label, test_path: test.csv, categorical: [colour]}}, validation: 0.2}
        model: mlp
        budget: {trials: 4, max_epochs: 3}
        parameters:
          learning_rate: {distribution: log_uniform_values, min: 3.0e-3, max: 3.0e-2}
          width: {values: [8, 16]}
          batch_size: {value: 32}
        """, trials: 4)
        // One trial: the stored test predictions, bit for bit.
        let out = dir.file("t1.npy")
        let (s1, o1) = try hpsearch(["predict", run, "--input", dir.file("test.csv").path, "--trial", "1", "--proba", "-o", out.path])
        XCTAssertEqual(s1, 0, o1)
        XCTAssertTrue(o1.contains("predicted 120 rows with trial 1"), o1)
        XCTAssertTrue(o1.contains("accuracy "), "labels in the CSV give the metrics: \(o1)")
        let stored = try Data(contentsOf: URL(fileURLWithPath: run).appendingPathComponent("trials/00001/test.f32"))
        let storedValues = stored.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        XCTAssertEqual(try floats(out).map(\.bitPattern), storedValues.map(\.bitPattern))
        // The default model is the newest ensemble: its members' stored test predictions combined
        // with their weights, and the accuracy the ensemble table printed.
        let (members, accuracy) = try ensembleMembers(run)
        let eout = dir.file("e.npy")
        let (s2, o2) = try hpsearch(["predict", run, "--input", dir.file("test.csv").path, "--proba", "-o", eout.path])
        XCTAssertEqual(s2, 0, o2)
        XCTAssertTrue(o2.contains("with ensemble"), o2)
        var combined = [Double](repeating: 0, count: storedValues.count)
        for (trial, weight) in members {
            let d = try Data(contentsOf: URL(fileURLWithPath: run).appendingPathComponent(String(format: "trials/%05d/test.f32", trial)))
            let v = d.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            for i in v.indices { combined[i] += weight * Double(v[i]) }
        }
        XCTAssertEqual(try floats(eout).map(\.bitPattern), combined.map { Float($0).bitPattern })
        XCTAssertTrue(o2.contains(String(format: "accuracy %.4f", accuracy)), "expected the ensemble table's accuracy \(accuracy): \(o2)")
        // Members run side by side, one BLAS thread each: the same bits at any --threads.
        for threads in ["1", "2", "3"] {
            let t = dir.file("e\(threads).npy")
            XCTAssertEqual(try hpsearch(["predict", run, "--input", dir.file("test.csv").path, "--proba", "-o", t.path, "--threads", threads]).status, 0)
            XCTAssertEqual(try floats(t).map(\.bitPattern), try floats(eout).map(\.bitPattern), "--threads \(threads)")
        }
        // CSV output: the class names, and a p_<class> column each with --proba.
        let (s3, o3) = try hpsearch(["predict", run, "--input", dir.file("test.csv").path, "--proba"])
        XCTAssertEqual(s3, 0, o3)
        XCTAssertTrue(o3.hasPrefix("prediction,p_high,p_low,p_mid\n"), String(o3.prefix(200)))
        // Columns in another order, and without the label: the same predictions.
        let lines = try String(contentsOf: dir.file("test.csv"), encoding: .utf8).split(separator: "\n")
        let reordered = lines.map { l -> String in let c = l.split(separator: ",", omittingEmptySubsequences: false); return "\(c[2]),\(c[0]),\(c[1])" }
        try (reordered.joined(separator: "\n") + "\n").write(to: dir.file("nolabel.csv"), atomically: true, encoding: .utf8)
        let nout = dir.file("n.npy")
        let (s4, o4) = try hpsearch(["predict", run, "--input", dir.file("nolabel.csv").path, "--proba", "-o", nout.path])
        XCTAssertEqual(s4, 0, o4)
        XCTAssertFalse(o4.contains("accuracy"), o4)
        XCTAssertEqual(try floats(nout), try floats(eout))

        // Bad inputs: refused with where and what, nothing written.
        func refused(_ csv: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) throws {
            try csv.write(to: dir.file("bad.csv"), atomically: true, encoding: .utf8)
            let target = dir.file("bad-out.csv")
            let (s, o) = try hpsearch(["predict", run, "--input", dir.file("bad.csv").path, "-o", target.path])
            XCTAssertNotEqual(s, 0, o, file: file, line: line)
            XCTAssertTrue(o.contains(expected), "expected '\(expected)' in: \(o)", file: file, line: line)
            XCTAssertFalse(o.contains("Foundation") || o.contains("NSError"), o, file: file, line: line)
            XCTAssertFalse(FileManager.default.fileExists(atPath: target.path), "nothing is written on error", file: file, line: line)
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.url.path).filter { $0.contains("partial") }
            XCTAssertEqual(leftovers, [], file: file, line: line)
        }
        try refused("a,colour\n1,red\n", "bad.csv:1: missing column 'b'")
        try refused("a,b,colour,extra\n1,2,red,3\n", "bad.csv:1:4: extra column 'extra'")
        try refused("a,b,colour\n1,2,red\n1,2,purple\n", "bad.csv:3:3: column 'colour': unknown category 'purple'")
        try refused("a,b,colour\n1,x,red\n", "bad.csv:2:2: column 'b': expected a number, found 'x'")
        try refused("a,b,colour,label\n1,2,red,huge\n", "bad.csv:2:4: label 'huge' is not one of the sweep's classes")
        let (s5, o5) = try hpsearch(["predict", run, "--input", dir.file("e.npy").path])
        XCTAssertNotEqual(s5, 0)
        XCTAssertTrue(o5.contains("trained on a CSV table (columns a, b, colour)"), o5)
        let (s6, o6) = try hpsearch(["predict", run, "--input", dir.file("test.csv").path, "--trial", "99"])
        XCTAssertNotEqual(s6, 0)
        XCTAssertTrue(o6.contains("has no trial 99"), o6)
    }

    /// 8×8 one-channel images of three classes (a bright row, column or diagonal), as .npy.
    static func images(_ n: Int, seed: UInt64) -> (x: [UInt8], y: [Int]) {
        let u = uniformStream(seed)
        var x: [UInt8] = [], y: [Int] = []
        for _ in 0..<n {
            let c = Int(u() * 3), k = Int(u() * 8)
            for r in 0..<8 {
                for col in 0..<8 {
                    let on = c == 0 ? r == k : (c == 1 ? col == k : (r + col) % 8 == k)
                    x.append(UInt8(min(255, Int((on ? 180 : 30) + 60 * u()))))
                }
            }
            y.append(c)
        }
        return (x, y)
    }

    func writeImages(_ dir: TemporaryDirectory) throws {
        for (name, n, seed) in [("train", 360, UInt64(5)), ("test", 90, UInt64(6))] {
            let (x, y) = Self.images(n, seed: seed)
            try Data(NPY.encode(NPYArray(kind: .uint, itemSize: 1, bigEndian: false, shape: [n, 8, 8], bytes: x))).write(to: dir.file("\(name)_x.npy"))
            let labels = y.map(Int64.init).withUnsafeBufferPointer { Array(UnsafeRawBufferPointer($0)) }
            try Data(NPY.encode(NPYArray(kind: .int, itemSize: 8, bigEndian: false, shape: [n], bytes: labels))).write(to: dir.file("\(name)_y.npy"))
        }
    }

    func testImageModelsPredictFromArraysAndExportToONNXThatOnnxruntimeAgreesWith() throws {
        let dir = try TemporaryDirectory(prefix: "cli-onnx")
        try writeImages(dir)
        let run = try self.run(dir, """
        name: img
        seed: 4
        data: {source: {npy: {x: train_x.npy, y: train_y.npy, test_x: test_x.npy, test_y: test_y.npy}}, validation: 0.2}
        model:
          layers:
            - conv2d: {channels: "${channels}", kernel: 3}
            - batch_norm
            - relu
            - residual:
                - conv2d: {channels: "${channels}", kernel: 3}
                - batch_norm
                - gelu
            - max_pool: {size: 2}
            - conv2d: {channels: 6, kernel: 3, stride: 2, padding: valid}
            - layer_norm
            - elu
            - avg_pool: {size: 1}
            - global_avg_pool
            - dense: {units: 12}
            - dropout: {rate: 0.1}
            - leaky_relu
        budget: {trials: 3, max_epochs: 2}
        parameters:
          learning_rate: {distribution: log_uniform_values, min: 3.0e-3, max: 3.0e-2}
          channels: {values: [4, 8]}
          batch_size: {value: 32}
        """, trials: 3)
        // Predict from the test arrays with their labels: the stored test predictions.
        let out = dir.file("p.npy")
        let (s1, o1) = try hpsearch(["predict", run, "--input", dir.file("test_x.npy").path, "--labels", dir.file("test_y.npy").path,
                                     "--trial", "0", "--proba", "-o", out.path])
        XCTAssertEqual(s1, 0, o1)
        let stored = try Data(contentsOf: URL(fileURLWithPath: run).appendingPathComponent("trials/00000/test.f32"))
        XCTAssertEqual(try floats(out).map(\.bitPattern), stored.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }.map(\.bitPattern))
        XCTAssertTrue(o1.contains("accuracy "), o1)
        // A wrong image shape is refused.
        try Data(NPY.encode(NPYArray(kind: .uint, itemSize: 1, bigEndian: false, shape: [2, 7, 8], bytes: [UInt8](repeating: 0, count: 112))))
            .write(to: dir.file("wrong.npy"))
        let (s2, o2) = try hpsearch(["predict", run, "--input", dir.file("wrong.npy").path])
        XCTAssertNotEqual(s2, 0)
        XCTAssertTrue(o2.contains("the input has shape [2, 7, 8]; expected [N, 8, 8] or [N, 8, 8, 1]"), o2)

        // ONNX: a trial and the ensemble, against predict.
        let ensembleOut = dir.file("pe.npy")
        XCTAssertEqual(try hpsearch(["predict", run, "--input", dir.file("test_x.npy").path, "--proba", "-o", ensembleOut.path]).status, 0)
        for (args, file, reference) in [(["--trial", "0"], "t0.onnx", out), ([], "ens.onnx", ensembleOut)] {
            let (s, o) = try hpsearch(["export-model", run] + args + ["--format", "onnx", "-o", dir.file(file).path])
            XCTAssertEqual(s, 0, o)
            let card = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.file(file + ".json"))) as! [String: Any]
            XCTAssertEqual(card["format"] as? String, "onnx")
            XCTAssertNotNil((card["metrics"] as? [String: Any])?["test"])
            XCTAssertEqual((card["input"] as? [String: Any])?["shape"] as? [AnyHashable], ["N", 8, 8, 1] as [AnyHashable])
            try onnxAgrees(dir.file(file), input: dir.file("test_x.npy"), reshape: "[:, :, :, None]", reference: reference)
        }
    }

    /// IDX files (MNIST's format, plain) of `images` and their labels.
    static func idx(images x: [UInt8], labels y: [Int], rows n: Int) -> (images: Data, labels: Data) {
        func be(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 0xff), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)] }
        return (Data([0, 0, 8, 3] + be(n) + be(8) + be(8) + x), Data([0, 0, 8, 1] + be(n) + y.map(UInt8.init)))
    }

    func testAnIDXSweepPredictsFromRawIDXImagesAsItsReaderDividedThem() throws {
        // The IDX reader takes pixels to [0, 1] before the standardisation; predict and the ONNX
        // graph must do the same to raw pixels (an .npy sweep takes them as they are).
        let dir = try TemporaryDirectory(prefix: "cli-idx")
        try FileManager.default.createDirectory(at: dir.file("data"), withIntermediateDirectories: true)
        for (prefix, n, seed) in [("train", 300, UInt64(11)), ("t10k", 80, UInt64(12))] {
            let (x, y) = Self.images(n, seed: seed)
            let files = Self.idx(images: x, labels: y, rows: n)
            try files.images.write(to: dir.file("data/\(prefix)-images-idx3-ubyte"))
            try files.labels.write(to: dir.file("data/\(prefix)-labels-idx1-ubyte"))
        }
        let run = try self.run(dir, """
        name: idx
        seed: 3
        data: {source: {idx: {dir: data}}, validation: 0.2}
        model: mlp
        budget: {trials: 2, max_epochs: 2}
        parameters:
          learning_rate: {distribution: log_uniform_values, min: 3.0e-3, max: 3.0e-2}
          width: {value: 16}
          batch_size: {value: 32}
        """, trials: 2)
        let out = dir.file("p.npy")
        let (s, o) = try hpsearch(["predict", run, "--input", dir.file("data/t10k-images-idx3-ubyte").path,
                                   "--labels", dir.file("data/t10k-labels-idx1-ubyte").path, "--trial", "1", "--proba", "-o", out.path])
        XCTAssertEqual(s, 0, o)
        let stored = try Data(contentsOf: URL(fileURLWithPath: run).appendingPathComponent("trials/00001/test.f32"))
        XCTAssertEqual(try floats(out).map(\.bitPattern), stored.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }.map(\.bitPattern))
        // The same pixels as .npy ([N, 8, 8] uint8) give the same predictions.
        let (x, _) = Self.images(80, seed: 12)
        try Data(NPY.encode(NPYArray(kind: .uint, itemSize: 1, bigEndian: false, shape: [80, 8, 8], bytes: x))).write(to: dir.file("x.npy"))
        let npyOut = dir.file("q.npy")
        XCTAssertEqual(try hpsearch(["predict", run, "--input", dir.file("x.npy").path, "--trial", "1", "--proba", "-o", npyOut.path]).status, 0)
        XCTAssertEqual(try floats(npyOut), try floats(out))
        let (es, eo) = try hpsearch(["export-model", run, "--trial", "1", "--format", "onnx", "-o", dir.file("m.onnx").path])
        XCTAssertEqual(es, 0, eo)
        try onnxAgrees(dir.file("m.onnx"), input: dir.file("x.npy"), reshape: "[:, :, :, None]", reference: out)
    }

    func testAnMLPExportsToONNXWithImputationAndToSafetensors() throws {
        let dir = try TemporaryDirectory(prefix: "cli-export")
        try Self.table(rows: 400, seed: 8, categorical: false).write(to: dir.file("train.csv"), atomically: true, encoding: .utf8)
        try Self.table(rows: 100, seed: 9, categorical: false).write(to: dir.file("test.csv"), atomically: true, encoding: .utf8)
        let run = try self.run(dir, """
        name: mlp
        seed: 6
        data: {source: {csv: {path: train.csv, label: label, test_path: test.csv}}, validation: 0.2}
        model: mlp
        budget: {trials: 3, max_epochs: 3}
        parameters:
          learning_rate: {distribution: log_uniform_values, min: 3.0e-3, max: 3.0e-2}
          width: {values: [8, 16]}
          batch_size: {value: 32}
          batch_norm: {value: true}
        """, trials: 3)
        let reference = dir.file("p.npy")
        let (s0, o0) = try hpsearch(["predict", run, "--input", dir.file("test.csv").path, "--trial", "1", "--proba", "-o", reference.path])
        XCTAssertEqual(s0, 0, o0)
        // The raw columns a, b (NaN where missing), c as the ONNX input.
        let rows = try String(contentsOf: dir.file("test.csv"), encoding: .utf8).split(separator: "\n").dropFirst().map { line in
            line.split(separator: ",", omittingEmptySubsequences: false).prefix(3).map { Float($0) ?? .nan }
        }
        let raw = rows.flatMap { $0 }.withUnsafeBufferPointer { Array(UnsafeRawBufferPointer($0)) }
        try Data(NPY.encode(NPYArray(kind: .float, itemSize: 4, bigEndian: false, shape: [rows.count, 3], bytes: raw))).write(to: dir.file("raw.npy"))
        let (s1, o1) = try hpsearch(["export-model", run, "--trial", "1", "--format", "onnx", "-o", dir.file("m.onnx").path])
        XCTAssertEqual(s1, 0, o1)
        try onnxAgrees(dir.file("m.onnx"), input: dir.file("raw.npy"), reshape: "", reference: reference)

        let (s2, o2) = try hpsearch(["export-model", run, "--trial", "1", "--format", "safetensors", "-o", dir.file("m.safetensors").path])
        XCTAssertEqual(s2, 0, o2)
        let card = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.file("m.safetensors.json"))) as! [String: Any]
        for key in ["format", "file", "hpsearch_version", "model", "kind", "sweep", "members", "configuration", "metrics", "data_fingerprint", "input", "output"] {
            XCTAssertNotNil(card[key], "model card key \(key)")
        }
        XCTAssertEqual(card["kind"] as? String, "trial")
        try XCTSkipIf(Self.python == nil, "onnxruntime/safetensors/numpy not importable: scripts/setup.sh --with-onnx installs them")
        // NumPy forward pass from the file's own tensors and metadata (architecture, preprocessing).
        let script = """
        import json, sys, numpy as np
        from safetensors.numpy import load_file
        from safetensors import safe_open
        t = load_file(sys.argv[1])
        with safe_open(sys.argv[1], "np") as f: meta = f.metadata()
        pre = json.loads(meta["preprocessing"]); arch = json.loads(meta["architecture"])[0]
        x = np.load(sys.argv[2]).astype(np.float32)
        cols = pre["columns"]
        feats = []
        for j, c in enumerate(cols):
            v = x[:, j].copy(); miss = np.isnan(v); v[miss] = c["fill"]; feats.append(v)
            if c["missing_indicator"]: feats.append(miss.astype(np.float32))
        x = np.stack(feats, 1)
        s = pre["scaling"]; x = ((x - np.array(s["mean"], np.float32)) / np.array(s["std"], np.float32)).astype(np.float32)
        for layer in arch:
            p, k = layer["path"], layer["layer"]
            if k == "dense":
                x = x @ t[p + ".weight"] + (t[p + ".bias"] if p + ".bias" in t else 0)
            elif k == "batch_norm":
                x = (x - t[p + ".running_mean"]) / np.sqrt(t[p + ".running_var"] + 1e-5) * t[p + ".gamma"] + t[p + ".beta"]
            elif k == "relu": x = np.maximum(x, 0)
            elif k == "dropout": pass
            else: raise SystemExit("unexpected layer " + k)
        z = x - x.max(1, keepdims=True); p = np.exp(z) / np.exp(z).sum(1, keepdims=True)
        ref = np.load(sys.argv[3])
        print("max_abs_diff", float(np.abs(p - ref).max()))
        assert np.abs(p - ref).max() < 1e-4
        assert json.loads(meta["class_names"]) == ["high", "low", "mid"]
        """
        try script.write(to: dir.file("st.py"), atomically: true, encoding: .utf8)
        let r = try Subprocess.run("/usr/bin/env", [Self.python!, dir.file("st.py").path, dir.file("m.safetensors").path, dir.file("raw.npy").path, reference.path],
                                   environment: [:], timeout: 120)
        XCTAssertEqual(r.status, 0, r.output)
        print("safetensors: \(r.output.trimmingCharacters(in: .whitespacesAndNewlines))")
    }

    /// onnxruntime on `model` with `input` (.npy, reshaped by the NumPy index `reshape`) agrees with `reference` within 1e-4.
    func onnxAgrees(_ model: URL, input: URL, reshape: String, reference: URL, file: StaticString = #filePath, line: UInt = #line) throws {
        guard let python = Self.python else {
            print("skipped: onnxruntime/safetensors/numpy not importable; scripts/setup.sh --with-onnx installs them")
            return
        }
        let script = """
        import sys, numpy as np, onnxruntime as ort
        s = ort.InferenceSession(sys.argv[1], providers=["CPUExecutionProvider"])
        x = np.load(sys.argv[2]).astype(np.float32)\(reshape)
        out = s.run(None, {"input": x})[0]
        ref = np.load(sys.argv[3])
        d = float(np.abs(out - ref).max())
        print("max_abs_diff", d, out.shape, ref.shape)
        assert out.shape == ref.shape and d < 1e-4
        """
        let path = model.deletingLastPathComponent().appendingPathComponent("ort.py")
        try script.write(to: path, atomically: true, encoding: .utf8)
        let r = try Subprocess.run("/usr/bin/env", [python, path.path, model.path, input.path, reference.path], environment: [:], timeout: 120)
        XCTAssertEqual(r.status, 0, r.output, file: file, line: line)
        XCTAssertTrue(r.output.contains("max_abs_diff"), r.output, file: file, line: line)
        print("onnxruntime \(model.lastPathComponent): \(r.output.trimmingCharacters(in: .whitespacesAndNewlines))")
    }
}
