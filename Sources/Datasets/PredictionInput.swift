// PredictionInput: new data for a stored model, read in batches and turned into features by the
// run's FittedTransform exactly as the training rows were (same code, same bits):
// - CSV: the training table's feature columns, matched by header name (any order; by position
//   when the training file had no header); the label (or target) columns optional — present,
//   they give the metrics. A missing or an extra column, a numeric cell that is not a number or a
//   category the training split never had is an error at its file, line and column.
// - `.npy` / `.npz` (member `x`, and `y` when present): rows shaped as the training x's
//   ([N, F] tables, [N, H, W] or [N, H, W, C] images).
// - IDX (gzip or plain; MNIST's format): [N, H, W] unsigned-byte images.
// Labels for arrays and IDX images may come from a second file (`labels`: `.npy` or IDX).
// Memory: arrays and IDX files are held as their raw bytes (one byte a pixel for uint8), CSV files
// are read a block at a time; features exist for one batch at a time.
import Foundation

/// One batch of transformed rows.
public struct PredictionBatch: Sendable {
    /// rows × featureCount, standardised as in training.
    public var features: [Float]
    public var rows: Int
    /// Class indices (classification with labels).
    public var labels: [Int]?
    /// Raw targets, rows × targets, in the targets' units (regression with targets).
    public var targets: [Float]?
}

/// What is wrong with a prediction input, with where and what to do.
public struct PredictionInputError: Error, Sendable, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

public final class PredictionInput {
    /// The input file, for messages.
    public let path: String
    /// Whether the rows come with labels or targets (then the metrics can be computed).
    public let hasLabels: Bool
    /// Rows in the input, when known before reading it (arrays and IDX files).
    public let rowCount: Int?
    let transform: FittedTransform
    let regression: Bool
    private var source: Source

    private enum Source {
        case array(ArrayRows)
        case csv(CSVRows)
    }

    /// Opens `path` for a model trained with `transform`. `labelColumns`: the training table's
    /// label (or target) column names, in order; `labels`: a separate labels file for arrays and
    /// IDX images; `member`: the `.npz` member holding the features (default `x`; its labels `y`).
    public init(path: String, transform: FittedTransform, regression: Bool, labelColumns: [String] = [],
                labels: String? = nil, member: String = "x", labelMember: String = "y") throws {
        self.path = path
        self.transform = transform
        self.regression = regression
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw PredictionInputError("\(path): no such file; give --input a CSV, .npy, .npz or IDX file")
        }
        let lower = path.lowercased()
        if lower.hasSuffix(".csv") || lower.hasSuffix(".tsv") || lower.hasSuffix(".txt") {
            guard !transform.columns.isEmpty else {
                throw PredictionInputError("\(path): a CSV file, but the sweep was trained on arrays or images "
                                           + "(\(Self.shapeText(transform))); give an .npy, .npz or IDX file")
            }
            if labels != nil { throw PredictionInputError("--labels is for .npy and IDX inputs; a CSV file carries its label column itself") }
            let rows = try CSVRows(path: path, transform: transform, labelColumns: labelColumns, regression: regression,
                                   separator: lower.hasSuffix(".tsv") ? "\t" : ",")
            source = .csv(rows)
            hasLabels = rows.hasLabels
            rowCount = nil
            return
        }
        guard transform.columns.isEmpty else {
            throw PredictionInputError("\(path): the sweep was trained on a CSV table (columns "
                                       + transform.columns.map(\.name).joined(separator: ", ") + "); give a CSV file with those columns")
        }
        var x: NPYArray, y: NPYArray?, ySource = labels ?? path
        if lower.hasSuffix(".npz") {
            let archive = try NPZArchive(path: path)
            x = try archive.array(member)
            if labels == nil, archive.contains(labelMember) { y = try archive.array(labelMember); ySource = "\(path):\(labelMember).npy" }
        } else if lower.hasSuffix(".npy") {
            x = try NPY.read(path: path)
        } else {
            let idx = try IDX.read(path, rank: 3)
            x = NPYArray(kind: .uint, itemSize: 1, bigEndian: false, shape: idx.shape, bytes: idx.bytes)
        }
        if let labels {
            if labels.lowercased().hasSuffix(".npy") {
                y = try NPY.read(path: labels)
            } else {
                let idx = try IDX.read(labels, rank: 1)
                y = NPYArray(kind: .uint, itemSize: 1, bigEndian: false, shape: idx.shape, bytes: idx.bytes)
            }
        }
        let rows = try ArrayRows(x: x, path: path, y: y, ySource: ySource, transform: transform, regression: regression)
        source = .array(rows)
        hasLabels = y != nil
        rowCount = rows.count
    }

    /// The next batch of at most `maxRows` rows; nil at the end.
    public func next(maxRows: Int) throws -> PredictionBatch? {
        switch source {
        case .array(let a): return try a.next(maxRows: maxRows)
        case .csv(let c): return try c.next(maxRows: maxRows)
        }
    }

    static func shapeText(_ t: FittedTransform) -> String {
        if let s = t.imageShape { return "images of " + s.map(String.init).joined(separator: " × ") }
        return "rows of \(t.inputWidth) numbers"
    }

    /// A label value → class index: by name (the class names of NumPy and CSV data are the label
    /// values), else as the index itself (IDX labels of named classes, such as Fashion-MNIST's).
    static func classIndex(_ value: Int, classNames: [String]) -> Int? {
        if let i = classNames.firstIndex(of: String(value)) { return i }
        return classNames.contains(where: { Int($0) != nil }) || !(0..<classNames.count).contains(value) ? nil : value
    }

    // MARK: Arrays and IDX images

    final class ArrayRows {
        let x: NPYArray
        let path: String
        let rowWidth: Int
        let count: Int
        let labels: [Int]?
        let targets: [Float]?
        let transform: FittedTransform
        var row = 0

        init(x: NPYArray, path: String, y: NPYArray?, ySource: String, transform: FittedTransform, regression: Bool) throws {
            let s = x.shape
            let expected: String
            let matches: Bool
            if let image = transform.imageShape {
                let (h, w, c) = (image[0], image[1], image[2])
                expected = c == 1 ? "[N, \(h), \(w)] or [N, \(h), \(w), 1] (images as in training)" : "[N, \(h), \(w), \(c)] (images as in training)"
                matches = (s.count == 4 && Array(s.dropFirst()) == image) || (c == 1 && s.count == 3 && s[1] == h && s[2] == w)
            } else {
                expected = "[N, \(transform.inputWidth)] (rows of the training x's \(transform.inputWidth) features)"
                matches = s.count == 2 && s[1] == transform.inputWidth
            }
            guard matches else {
                throw PredictionInputError("\(path): the input has shape \(s); expected \(expected)")
            }
            guard s[0] > 0 else { throw PredictionInputError("\(path): no rows to predict") }
            self.x = x
            self.path = path
            self.transform = transform
            count = s[0]
            rowWidth = s.dropFirst().reduce(1, *)
            if let y {
                if regression {
                    let width = transform.targets?.names.count ?? 1
                    let t = try NumPyData.targets(y, source: ySource, rows: count, xSource: path, width: width)
                    targets = t.values
                    labels = nil
                } else {
                    let raw = try NumPyData.labels(y, source: ySource, rows: count, xSource: path)
                    labels = try raw.enumerated().map { r, v in
                        guard let i = PredictionInput.classIndex(v, classNames: transform.classNames) else {
                            throw PredictionInputError("\(ySource): label \(v) at row \(r) is not one of the sweep's classes "
                                                       + "(\(transform.classNames.joined(separator: ", "))); check that the labels belong to this data")
                        }
                        return i
                    }
                    targets = nil
                }
            } else {
                labels = nil
                targets = nil
            }
        }

        func next(maxRows: Int) throws -> PredictionBatch? {
            guard row < count else { return nil }
            let n = min(maxRows, count - row)
            let features: [Float]
            if x.kind == .uint, x.itemSize == 1 {
                // Pixels: bytes straight to transformed features, one pass (as apply(features:) would give).
                let start = row * rowWidth
                features = x.bytes.withUnsafeBufferPointer { b in
                    transform.apply(bytes: UnsafeBufferPointer(rebasing: b[start..<(start + n * rowWidth)]))
                }
            } else {
                let raw = x.floats(from: row * rowWidth, count: n * rowWidth)
                if x.kind == .float, let bad = raw.firstIndex(where: { !$0.isFinite }) {
                    let element = row * rowWidth + bad
                    throw PredictionInputError("\(path): row \(element / rowWidth), element \(element % rowWidth) is \(raw[bad]); "
                                           + "the features must be finite (impute or drop such rows)")
                }
                features = transform.apply(features: raw)
            }
            let batch = PredictionBatch(features: features, rows: n,
                                        labels: labels.map { Array($0[row..<(row + n)]) },
                                        targets: targets.map { t in
                                            let w = t.count / count
                                            return Array(t[(row * w)..<((row + n) * w)])
                                        })
            row += n
            return batch
        }
    }

    // MARK: CSV

    final class CSVRows {
        let path: String
        let transform: FittedTransform
        let separator: Character
        let regression: Bool
        /// Per transform column, its position in the file's rows.
        var featurePositions: [Int] = []
        /// Label (or target) columns' positions, when the file has them.
        var labelPositions: [Int] = []
        var width = 0
        var hasLabels: Bool { !labelPositions.isEmpty }
        let names: [String]
        let vocabularies: [Set<String>?]
        private let reader: LineReader
        private var line = 0

        init(path: String, transform: FittedTransform, labelColumns: [String], regression: Bool, separator: Character) throws {
            self.path = path
            self.transform = transform
            self.regression = regression
            self.separator = separator
            names = transform.columns.map(\.name)
            vocabularies = transform.columns.map { $0.kind == .categorical ? Set($0.categories) : nil }
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw PredictionInputError("\(path): cannot be read; check its permissions")
            }
            reader = LineReader(handle)
            // The training file had no header when its columns are named `column N`.
            let headerless = names.enumerated().allSatisfy { $1.hasPrefix("column ") && Int($1.dropFirst(7)) != nil }
            if headerless {
                try layoutWithoutHeader(labelColumns: labelColumns)
            } else {
                try layout(labelColumns: labelColumns)
            }
        }

        private func cells(_ text: Substring) -> [String] {
            text.split(separator: separator, omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        }

        /// The next non-blank line and its 1-based number.
        private func nextLine() throws -> (number: Int, text: Substring)? {
            while let text = try reader.next() {
                line += 1
                if !text.trimmingCharacters(in: .whitespaces).isEmpty { return (line, text) }
            }
            return nil
        }

        private func layout(labelColumns: [String]) throws {
            guard let (_, text) = try nextLine() else { throw PredictionInputError("\(path): the file is empty; it needs a header and rows") }
            let header = cells(text)
            width = header.count
            var missing: [String] = []
            for n in names {
                if let j = header.firstIndex(of: n) { featurePositions.append(j) } else { missing.append(n) }
            }
            let labels = labelColumns.compactMap { header.firstIndex(of: $0) }
            guard missing.isEmpty else {
                let numeric = header.allSatisfy { Float($0) != nil }
                throw PredictionInputError("\(path):1: " + (numeric
                    ? "no header row: the first line must name the columns (\(names.joined(separator: ", ")))"
                    : "missing column\(missing.count == 1 ? "" : "s") \(missing.map { "'\($0)'" }.joined(separator: ", ")); "
                        + "the model was trained on \(names.joined(separator: ", "))"))
            }
            if !labels.isEmpty && labels.count != labelColumns.count {
                let absent = labelColumns.filter { !header.contains($0) }
                throw PredictionInputError("\(path):1: label columns \(absent.joined(separator: ", ")) are missing; give all of "
                                           + "\(labelColumns.joined(separator: ", ")) or none")
            }
            labelPositions = labels
            let known = Set(names).union(labelColumns)
            if let extra = header.enumerated().first(where: { !known.contains($1) }) {
                throw PredictionInputError("\(path):1:\(extra.offset + 1): extra column '\(extra.element)'; the model takes "
                                           + "\(names.joined(separator: ", "))" + (labelColumns.isEmpty ? "" : " (and optionally \(labelColumns.joined(separator: ", ")))")
                                           + "; remove the column")
            }
            if let dup = header.enumerated().first(where: { j, n in header.firstIndex(of: n) != j }) {
                throw PredictionInputError("\(path):1:\(dup.offset + 1): column '\(dup.element)' appears twice")
            }
        }

        /// A training file without a header: columns by position, feature columns in the training
        /// file's order with the label columns (`column N`) where the training file had them.
        private func layoutWithoutHeader(labelColumns: [String]) throws {
            let featureFileColumns = names.map { Int($0.dropFirst(7))! }
            let labelFileColumns = labelColumns.compactMap { $0.hasPrefix("column ") ? Int($0.dropFirst(7)) : nil }
            let withLabels = (featureFileColumns + labelFileColumns).max().map { $0 + 1 } ?? 0
            // Peek at the first row's width to see whether the labels are there.
            guard let first = try reader.peek() else { throw PredictionInputError("\(path): the file is empty") }
            let n = cells(first).count
            if n == withLabels && !labelFileColumns.isEmpty {
                featurePositions = featureFileColumns
                labelPositions = labelFileColumns
                width = n
            } else if n == names.count {
                featurePositions = Array(0..<names.count)
                width = n
            } else {
                throw PredictionInputError("\(path):1: \(n) columns; the model takes \(names.count) feature columns"
                                           + (labelFileColumns.isEmpty ? "" : ", or \(withLabels) with the label column"))
            }
        }

        func next(maxRows: Int) throws -> PredictionBatch? {
            var rows: [[String]] = [], labels: [Int] = [], targets: [Float] = []
            rows.reserveCapacity(maxRows)
            while rows.count < maxRows, let (number, text) = try nextLine() {
                let c = cells(text)
                guard c.count == width else {
                    throw PredictionInputError("\(path):\(number): expected \(width) fields, found \(c.count)")
                }
                var row: [String] = []
                row.reserveCapacity(featurePositions.count)
                for (k, j) in featurePositions.enumerated() {
                    let cell = c[j]
                    let column = transform.columns[k]
                    if let vocabulary = vocabularies[k] {
                        let category = FittedTransform.category(cell)
                        guard vocabulary.contains(category) else {
                            let shown = column.categories.map { $0.isEmpty ? "(missing)" : $0 }
                            throw PredictionInputError("\(path):\(number):\(j + 1): column '\(column.name)': unknown category "
                                                       + "'\(category.isEmpty ? "(missing)" : category)'; the training split had "
                                                       + shown.prefix(20).joined(separator: ", ") + (shown.count > 20 ? ", …" : "")
                                                       + " (a new category has no learned weights: map it to a known one)")
                        }
                    } else if !FittedTransform.isMissing(cell) && Float(cell) == nil {
                        throw PredictionInputError("\(path):\(number):\(j + 1): column '\(column.name)': expected a number, found '\(cell)'")
                    }
                    row.append(cell)
                }
                rows.append(row)
                if !labelPositions.isEmpty {
                    if regression {
                        for j in labelPositions {
                            guard let v = Double(c[j]), v.isFinite else {
                                throw PredictionInputError("\(path):\(number):\(j + 1): target: expected a finite number, found '\(c[j])'")
                            }
                            targets.append(Float(v))
                        }
                    } else {
                        let j = labelPositions[0], cell = c[j]
                        guard let i = transform.classNames.firstIndex(of: cell)
                            ?? Double(cell).flatMap({ d in transform.classNames.firstIndex { Double($0) == d } }) else {
                            throw PredictionInputError("\(path):\(number):\(j + 1): label '\(cell)' is not one of the sweep's classes "
                                                       + "(\(transform.classNames.joined(separator: ", ")))")
                        }
                        labels.append(i)
                    }
                }
            }
            guard !rows.isEmpty else { return nil }
            let features: [Float]
            do {
                features = try transform.apply(rows: rows)
            } catch {
                throw PredictionInputError("\(path): \(error)")
            }
            return PredictionBatch(features: features, rows: rows.count,
                                   labels: labelPositions.isEmpty || regression ? nil : labels,
                                   targets: labelPositions.isEmpty || !regression ? nil : targets)
        }
    }

    /// Lines of a file, read a block at a time (LF or CRLF).
    final class LineReader {
        let handle: FileHandle
        var buffer: [UInt8] = []
        var start = 0
        var ended = false
        var peeked: Substring?

        init(_ handle: FileHandle) { self.handle = handle }

        func peek() throws -> Substring? {
            if peeked == nil {
                // Skip blank lines for the peek, keeping the count right is the caller's business
                // (headerless files: blank leading lines are rare; they are read again by next()).
                peeked = try read()
            }
            return peeked
        }

        func next() throws -> Substring? {
            if let p = peeked { peeked = nil; return p }
            return try read()
        }

        private func read() throws -> Substring? {
            while true {
                if let nl = buffer[start...].firstIndex(of: 0x0A) {
                    var end = nl
                    if end > start && buffer[end - 1] == 0x0D { end -= 1 }
                    let text = String(decoding: buffer[start..<end], as: UTF8.self)
                    start = nl + 1
                    return text[...]
                }
                if ended {
                    guard start < buffer.count else { return nil }
                    var end = buffer.count
                    if buffer[end - 1] == 0x0D { end -= 1 }
                    let text = String(decoding: buffer[start..<end], as: UTF8.self)
                    start = buffer.count
                    return text[...]
                }
                buffer.removeFirst(start)
                start = 0
                let chunk: Data
                do {
                    chunk = try handle.read(upToCount: 1 << 22) ?? Data()
                } catch {
                    throw PredictionInputError("cannot read the input: \(error.localizedDescription)")
                }
                if chunk.isEmpty { ended = true } else { buffer.append(contentsOf: chunk) }
            }
        }
    }
}
