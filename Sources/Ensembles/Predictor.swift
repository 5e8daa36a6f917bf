// Predictor: a stored model over a prediction input, batch by batch, into a CSV or `.npy` file,
// with the metrics when the input carries labels. The output is written to a temporary file
// beside the target and moved there at the end, so an error leaves nothing behind.
import Datasets
import Foundation
import Storage

public struct Predictor {
    public enum Format: String, Sendable { case csv, npy }

    /// What a prediction did.
    public struct Summary: Sendable {
        public var rows: Int
        public var seconds: Double
        /// Classification with labels.
        public var classification: ClassificationMetrics?
        /// Regression with targets.
        public var regression: RegressionMetrics?
        public var output: String?
    }

    public let model: StoredModel
    /// Write class probabilities (`p_<class>` columns; `.npy`: [N, C] float32) beside the class.
    public var probabilities: Bool
    /// Called after each batch with the rows done so far (progress).
    public var onProgress: ((Int) -> Void)?

    public init(model: StoredModel, probabilities: Bool) {
        self.model = model
        self.probabilities = probabilities
    }

    /// The format an output path asks for (`.npy`, else CSV).
    public static func format(of path: String?) -> Format {
        path?.lowercased().hasSuffix(".npy") == true ? .npy : .csv
    }

    /// Predicts every row of `input`, writing to `output` (nil: `write` receives the CSV text,
    /// batch by batch, e.g. for standard output; `.npy` needs a file).
    public func run(_ input: PredictionInput, output: String?, write: ((String) -> Void)? = nil) throws -> Summary {
        let format = Self.format(of: output)
        let started = Date()
        var sink: FileHandle?, temporary: URL?
        if let output, format == .csv {
            let target = URL(fileURLWithPath: output)
            let t = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).partial-\(getpid())")
            guard FileManager.default.createFile(atPath: t.path, contents: nil), let h = FileHandle(forWritingAtPath: t.path) else {
                throw EnsembleError(description: "cannot write \(output): check that its folder exists and is writable")
            }
            sink = h
            temporary = t
        }
        var succeeded = false
        defer {
            try? sink?.close()
            if !succeeded, let temporary { try? FileManager.default.removeItem(at: temporary) }
        }
        func emit(_ text: String) throws {
            if let sink {
                do { try sink.write(contentsOf: Data(text.utf8)) } catch {
                    throw EnsembleError(description: "cannot write \(output ?? "the output"): \(error.localizedDescription)")
                }
            } else {
                write?(text)
            }
        }
        if format == .csv { try emit(header().joined(separator: ",") + "\n") }
        var all: [Float] = [], labels: [Int] = [], targets: [Float] = [], rows = 0
        let keep = format == .npy || input.hasLabels
        while let batch = try input.next(maxRows: StoredModel.chunkRows) {
            let out = model.outputs(batch.features, rows: batch.rows)
            if format == .csv { try emit(csvRows(out, rows: batch.rows)) }
            if keep { all.append(contentsOf: out) }
            if let l = batch.labels { labels.append(contentsOf: l) }
            if let t = batch.targets { targets.append(contentsOf: t) }
            rows += batch.rows
            onProgress?(rows)
        }
        guard rows > 0 else { throw EnsembleError(description: "\(input.path): no rows to predict") }
        var summary = Summary(rows: rows, seconds: 0, output: output)
        if input.hasLabels {
            if model.isRegression {
                let t = Dataset.Targets(values: targets, width: model.outputCount, names: model.targetNames)
                summary.regression = RegressionMetrics(predictions: all, targets: t)
            } else {
                summary.classification = ClassificationMetrics(probabilities: all, labels: labels, classes: model.outputCount)
            }
        }
        if let output, format == .npy {
            let array = npy(all, rows: rows)
            do {
                try Data(NPY.encode(array)).write(to: URL(fileURLWithPath: output), options: .atomic)
            } catch {
                throw EnsembleError(description: "cannot write \(output): \(error.localizedDescription); check that its folder exists and is writable")
            }
        }
        if let sink, let temporary, let output {
            try? sink.close()
            do {
                if FileManager.default.fileExists(atPath: output) { try FileManager.default.removeItem(atPath: output) }
                try FileManager.default.moveItem(at: temporary, to: URL(fileURLWithPath: output))
            } catch {
                throw EnsembleError(description: "cannot write \(output): \(error.localizedDescription)")
            }
        }
        succeeded = true
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }

    /// CSV columns: `prediction` (the class name) and, with probabilities, `p_<class>`; for
    /// regression one column per target, named as the target.
    public func header() -> [String] {
        if model.isRegression { return model.targetNames.map(Self.csvField) }
        return ["prediction"] + (probabilities ? model.classNames.map { Self.csvField("p_" + $0) } : [])
    }

    static func csvField(_ s: String) -> String {
        s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    /// Full precision (shortest round-trip text of each Float32).
    func csvRows(_ out: [Float], rows: Int) -> String {
        let c = model.outputCount
        var text = ""
        text.reserveCapacity(rows * (probabilities ? 12 * (c + 1) : 16))
        let names = model.classNames.map(Self.csvField)
        for r in 0..<rows {
            let row = out[(r * c)..<((r + 1) * c)]
            if model.isRegression {
                text += row.map { "\($0)" }.joined(separator: ",")
            } else {
                text += names[Self.argmax(row)]
                if probabilities { for p in row { text += ","; text += "\(p)" } }
            }
            text += "\n"
        }
        return text
    }

    /// The first index of the largest value (as the evaluator's accuracy counts it).
    static func argmax(_ row: ArraySlice<Float>) -> Int {
        var best = row.startIndex
        for i in row.indices where row[i] > row[best] { best = i }
        return best - row.startIndex
    }

    /// `.npy` output: class indices (int64 [N]), probabilities (float32 [N, C]) or regression
    /// predictions (float32 [N, T]).
    func npy(_ out: [Float], rows: Int) -> NPYArray {
        let c = model.outputCount
        if model.isRegression || probabilities {
            let bytes = out.withUnsafeBufferPointer { Array(UnsafeRawBufferPointer($0)) }
            return NPYArray(kind: .float, itemSize: 4, bigEndian: false, shape: [rows, c], bytes: bytes)
        }
        var classes = [Int64](repeating: 0, count: rows)
        for r in 0..<rows { classes[r] = Int64(Self.argmax(out[(r * c)..<((r + 1) * c)])) }
        let bytes = classes.withUnsafeBufferPointer { Array(UnsafeRawBufferPointer($0)) }
        return NPYArray(kind: .int, itemSize: 8, bigEndian: false, shape: [rows], bytes: bytes)
    }
}
