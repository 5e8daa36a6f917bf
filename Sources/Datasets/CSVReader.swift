// CSVReader: tables with one label column (by name or 0-based index), or for regression one or
// more target columns, header optional. Class labels may be numbers or strings; each distinct
// label becomes a class index, in sorted order. Targets must be finite numbers in every row.
// `readTable`/`parseTable` keep the feature cells as text (a CSVTable) for typed columns, one-hot
// encoding and imputation (see FittedTransform); `read`/`parse` read that table as an all-numeric
// Dataset (any other cell is an error). Every error names the file, line and column.
import Foundation

public struct CSVReader: Sendable {
    /// Where the label is: a header name or a 0-based column index.
    public enum LabelColumn: Sendable, Equatable {
        case name(String)
        case index(Int)
    }

    /// The label column (classification: exactly one) or the target columns (regression).
    public var labelColumns: [LabelColumn]
    /// Read the label columns as real-valued targets instead of classes.
    public var regression: Bool
    /// `nil`: detect (the first row is a header when any of its cells is not a number).
    public var hasHeader: Bool?
    public var separator: Character

    /// A classification table: one label column.
    public init(label: LabelColumn, hasHeader: Bool? = nil, separator: Character = ",") {
        self.init(labels: [label], regression: false, hasHeader: hasHeader, separator: separator)
    }

    /// `labels`: one label column (classification), or one or more target columns (`regression`).
    public init(labels: [LabelColumn], regression: Bool, hasHeader: Bool? = nil, separator: Character = ",") {
        precondition(!labels.isEmpty && (regression || labels.count == 1), "classification takes one label column")
        self.labelColumns = labels
        self.regression = regression
        self.hasHeader = hasHeader
        self.separator = separator
    }

    /// The class names, in class-index order, found while reading.
    public struct Result: Sendable {
        public var dataset: Dataset
        public var classNames: [String]
        public var featureNames: [String]
    }

    public func read(path: String) throws -> Result {
        try parse(Self.contents(path), path: path)
    }

    /// An all-numeric table: `parseTable`, with every feature cell read as a number.
    public func parse(_ text: String, path: String) throws -> Result {
        let table = try parseTable(text, path: path)
        let featureCount = table.featureNames.count
        var features = [Float](repeating: 0, count: table.rowCount * featureCount)
        for (j, cells) in table.columns.enumerated() {
            for (r, cell) in cells.enumerated() {
                guard let v = Float(cell) else {
                    throw DatasetError.nonNumeric(path: path, line: table.lines[r], column: table.fileColumns[j] + 1, value: cell)
                }
                features[r * featureCount + j] = v
            }
        }
        let dataset = table.targets.map { Dataset(features: features, targets: $0, featureCount: featureCount) }
            ?? Dataset(features: features, labels: table.labels, featureCount: featureCount, classCount: table.classNames.count)
        return Result(dataset: dataset, classNames: table.classNames, featureNames: table.featureNames)
    }

    /// Reads `path` keeping feature cells as text.
    public func readTable(path: String) throws -> CSVTable {
        try parseTable(Self.contents(path), path: path)
    }

    /// Reads several files with the same columns (a training file, then a test file) as one
    /// table: rows in file order, `CSVTable.files` saying which rows came from which file. Class
    /// indices are over the labels of all the files together.
    public func readTable(paths: [String]) throws -> CSVTable {
        try parseTables(paths.map { (try Self.contents($0), $0) })
    }

    static func contents(_ path: String) throws -> String {
        guard FileManager.default.fileExists(atPath: path) else {
            throw DatasetError.missingFile(path: path, hint: "Check the `data.csv.path` in the sweep file.")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DatasetError.corrupt(path: path, reason: "cannot be read")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// The table of `text`: header, label (or target) columns and rows, feature cells as text.
    public func parseTable(_ text: String, path: String) throws -> CSVTable {
        try parseTables([(text, path)])
    }

    /// `parseTable` of several files read as one; each later file must have the first one's
    /// columns (same header names, or the same count without a header).
    func parseTables(_ files: [(text: String, path: String)]) throws -> CSVTable {
        precondition(!files.isEmpty, "no file to read")
        let layouts = try files.map { try layout($0.text, path: $0.path) }
        let first = layouts[0], path = files[0].path
        let (width, labelIndices) = (first.width, first.labelIndices)
        for (k, l) in layouts.enumerated().dropFirst() where l.width != width || (first.header && l.names != first.names) {
            throw DatasetError.conflict(path: files[k].path, reason: "its columns (\(l.names.joined(separator: ", "))) are not those of "
                                        + "\(path) (\(first.names.joined(separator: ", "))); the files must have the same columns in the same order")
        }
        let fileColumns = (0..<width).filter { !labelIndices.contains($0) }
        var columns = [[String]](repeating: [], count: fileColumns.count)
        var rawLabels = [[String]](repeating: [], count: labelIndices.count), lines: [Int] = [], rowPaths: [String] = []
        var spans: [CSVTable.File] = []
        for (k, l) in layouts.enumerated() {
            let start = lines.count
            for row in l.body {
                guard row.cells.count == width else {
                    throw DatasetError.raggedRow(path: files[k].path, line: row.line, expected: width, found: row.cells.count)
                }
                for (j, c) in fileColumns.enumerated() { columns[j].append(String(row.cells[c])) }
                for (i, c) in labelIndices.enumerated() { rawLabels[i].append(String(row.cells[c])) }
                lines.append(row.line)
                rowPaths.append(files[k].path)
            }
            spans.append(CSVTable.File(path: files[k].path, rows: start..<lines.count))
        }
        let featureNames = fileColumns.map { first.names[$0] }
        let shownPath = files.count == 1 ? path : files.map(\.path).joined(separator: " + ")
        guard regression else {
            let (classNames, labels) = try Self.classes(rawLabels[0], path: shownPath)
            var table = CSVTable(path: path, featureNames: featureNames, fileColumns: fileColumns, hasHeader: first.header,
                                 columns: columns, lines: lines, labels: labels, classNames: classNames)
            table.files = spans
            return table
        }
        // Regression: every target cell a finite number; a missing target cannot be imputed.
        let t = labelIndices.count
        var values = [Float](repeating: 0, count: lines.count * t)
        for (k, c) in labelIndices.enumerated() {
            for (r, cell) in rawLabels[k].enumerated() {
                if FittedTransform.isMissing(cell) {
                    throw DatasetError.missingTarget(path: rowPaths[r], line: lines[r], column: c + 1, name: first.names[c])
                }
                guard let v = Double(cell), v.isFinite else {
                    throw DatasetError.nonNumeric(path: rowPaths[r], line: lines[r], column: c + 1, value: cell)
                }
                values[r * t + k] = Float(v)
            }
        }
        var table = CSVTable(path: path, featureNames: featureNames, fileColumns: fileColumns, hasHeader: first.header,
                             columns: columns, lines: lines, labels: [Int](repeating: 0, count: lines.count), classNames: [])
        table.targets = Dataset.Targets(values: values, width: t, names: labelIndices.map { first.names[$0] })
        table.files = spans
        return table
    }

    /// The rows, header and label columns of `text`.
    private func layout(_ text: String, path: String) throws
        -> (body: [(line: Int, cells: [Substring])], names: [String], header: Bool, width: Int, labelIndices: [Int]) {
        var rows: [(line: Int, cells: [Substring])] = []
        // "\r\n" is one Character in Swift, and a newline: CRLF and LF files number lines alike.
        for (i, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            rows.append((i + 1, line.split(separator: separator, omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces)[...] }))
        }
        guard let first = rows.first else { throw DatasetError.empty(path: path) }
        let header = hasHeader ?? first.cells.contains { Float($0) == nil }
        let names = header ? first.cells.map(String.init) : (0..<first.cells.count).map { "column \($0)" }
        let width = first.cells.count
        var labelIndices: [Int] = []
        for column in labelColumns {
            switch column {
            case .index(let i):
                guard i >= 0 && i < width else {
                    throw DatasetError.missingLabelColumn(path: path, column: "index \(i)", available: names)
                }
                labelIndices.append(i)
            case .name(let n):
                guard header, let i = names.firstIndex(of: n) else {
                    throw DatasetError.missingLabelColumn(path: path, column: n, available: names)
                }
                labelIndices.append(i)
            }
        }
        let body = header ? Array(rows.dropFirst()) : rows
        guard !body.isEmpty else { throw DatasetError.empty(path: path) }
        guard width - labelIndices.count > 0 else {
            throw DatasetError.raggedRow(path: path, line: first.line, expected: labelIndices.count + 1, found: width)
        }
        return (body, names, header, width, labelIndices)
    }

    /// The most classes a label column may have; more is taken for a continuous target.
    public static let maxClasses = 100

    /// Class names (numeric labels sort numerically, others lexically) and each row's class index.
    /// Throws `continuousLabel` for numbers that are not all integers or more than `maxClasses`
    /// distinct values (a regression target read as classes).
    static func classes(_ rawLabels: [String], path: String) throws -> (names: [String], labels: [Int]) {
        let distinct = Set(rawLabels)
        let numbers = distinct.compactMap(Double.init)
        if let fractional = numbers.first(where: { $0 != $0.rounded() }), numbers.count == distinct.count {
            throw DatasetError.continuousLabel(path: path, distinct: distinct.count, example: String(fractional))
        }
        if distinct.count > maxClasses {
            throw DatasetError.continuousLabel(path: path, distinct: distinct.count, example: distinct.sorted().first ?? "")
        }
        let classNames = distinct.allSatisfy { Double($0) != nil }
            ? distinct.sorted { Double($0)! < Double($1)! } : distinct.sorted()
        let index = Dictionary(uniqueKeysWithValues: classNames.enumerated().map { ($1, $0) })
        return (classNames, rawLabels.map { index[$0]! })
    }
}

/// A CSV file's rows with the feature cells as (trimmed) text, column by column, and the labels
/// as class indices (classification) or the targets as numbers (regression: `labels` all 0).
public struct CSVTable: Sendable {
    public var path: String
    /// The feature columns' names (header names, or `column K` without a header), file order.
    public var featureNames: [String]
    /// Each feature column's 0-based column in the file (the label column is left out).
    public var fileColumns: [Int]
    public var hasHeader: Bool
    /// `columns[j][r]`: feature column j of row r.
    public var columns: [[String]]
    /// The file line of each row (1-based).
    public var lines: [Int]
    public var labels: [Int]
    public var classNames: [String]
    /// Regression: every row's targets, raw (own units); nil for classification.
    public var targets: Dataset.Targets?
    /// The files the rows came from, in order (one file unless read with `readTable(paths:)`).
    public var files: [File] = []

    /// Rows `rows` of the table came from `path`.
    public struct File: Sendable, Equatable {
        public var path: String
        public var rows: Range<Int>
    }

    public var rowCount: Int { labels.count }
}
