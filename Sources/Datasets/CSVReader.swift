// CSVReader: tables with one label column (by name or 0-based index), header optional.
// Labels may be numbers or strings; each distinct label becomes a class index, in sorted order.
// `read`/`parse` give an all-numeric Dataset (any other cell is an error); `readTable`/`parseTable`
// keep the feature cells as text (a CSVTable) for typed columns, one-hot encoding and imputation
// (see FittedTransform). Every error names the file, line and column.
import Foundation

public struct CSVReader: Sendable {
    /// Where the label is: a header name or a 0-based column index.
    public enum LabelColumn: Sendable, Equatable {
        case name(String)
        case index(Int)
    }

    public var labelColumn: LabelColumn
    /// `nil`: detect (the first row is a header when any of its cells is not a number).
    public var hasHeader: Bool?
    public var separator: Character

    public init(label: LabelColumn, hasHeader: Bool? = nil, separator: Character = ",") {
        self.labelColumn = label
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
        guard FileManager.default.fileExists(atPath: path) else {
            throw DatasetError.missingFile(path: path, hint: "Check the `data.csv.path` in the sweep file.")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DatasetError.corrupt(path: path, reason: "cannot be read")
        }
        return try parse(String(decoding: data, as: UTF8.self), path: path)
    }

    public func parse(_ text: String, path: String) throws -> Result {
        let layout = try self.layout(text, path: path)
        let (body, width, labelIndex, featureCount) = (layout.body, layout.width, layout.labelIndex, layout.width - 1)
        var features = [Float](repeating: 0, count: body.count * featureCount)
        var rawLabels: [String] = []
        rawLabels.reserveCapacity(body.count)
        for (r, row) in body.enumerated() {
            guard row.cells.count == width else {
                throw DatasetError.raggedRow(path: path, line: row.line, expected: width, found: row.cells.count)
            }
            var k = 0
            for (c, cell) in row.cells.enumerated() {
                if c == labelIndex { rawLabels.append(String(cell)); continue }
                guard let v = Float(cell) else {
                    throw DatasetError.nonNumeric(path: path, line: row.line, column: c + 1, value: String(cell))
                }
                features[r * featureCount + k] = v
                k += 1
            }
        }
        let (classNames, labels) = try Self.classes(rawLabels, path: path)
        var featureNames = layout.names
        featureNames.remove(at: labelIndex)
        let dataset = Dataset(features: features, labels: labels,
                              featureCount: featureCount, classCount: classNames.count)
        return Result(dataset: dataset, classNames: classNames, featureNames: featureNames)
    }

    /// Reads `path` keeping feature cells as text.
    public func readTable(path: String) throws -> CSVTable {
        guard FileManager.default.fileExists(atPath: path) else {
            throw DatasetError.missingFile(path: path, hint: "Check the `data.csv.path` in the sweep file.")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DatasetError.corrupt(path: path, reason: "cannot be read")
        }
        return try parseTable(String(decoding: data, as: UTF8.self), path: path)
    }

    /// The table of `text`: header, label and rows as `parse` reads them, feature cells as text.
    public func parseTable(_ text: String, path: String) throws -> CSVTable {
        let layout = try self.layout(text, path: path)
        let (body, width, labelIndex) = (layout.body, layout.width, layout.labelIndex)
        var columns = [[String]](repeating: [], count: width - 1)
        for j in columns.indices { columns[j].reserveCapacity(body.count) }
        var rawLabels: [String] = [], lines: [Int] = []
        rawLabels.reserveCapacity(body.count)
        lines.reserveCapacity(body.count)
        for row in body {
            guard row.cells.count == width else {
                throw DatasetError.raggedRow(path: path, line: row.line, expected: width, found: row.cells.count)
            }
            var k = 0
            for (c, cell) in row.cells.enumerated() {
                if c == labelIndex { rawLabels.append(String(cell)); continue }
                columns[k].append(String(cell))
                k += 1
            }
            lines.append(row.line)
        }
        let (classNames, labels) = try Self.classes(rawLabels, path: path)
        var featureNames = layout.names
        featureNames.remove(at: labelIndex)
        var fileColumns = Array(0..<width)
        fileColumns.remove(at: labelIndex)
        return CSVTable(path: path, featureNames: featureNames, fileColumns: fileColumns, hasHeader: layout.header,
                        columns: columns, lines: lines, labels: labels, classNames: classNames)
    }

    /// The rows, header and label column of `text`.
    private func layout(_ text: String, path: String) throws
        -> (body: [(line: Int, cells: [Substring])], names: [String], header: Bool, width: Int, labelIndex: Int) {
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
        let labelIndex: Int
        switch labelColumn {
        case .index(let i):
            guard i >= 0 && i < width else {
                throw DatasetError.missingLabelColumn(path: path, column: "index \(i)", available: names)
            }
            labelIndex = i
        case .name(let n):
            guard header, let i = names.firstIndex(of: n) else {
                throw DatasetError.missingLabelColumn(path: path, column: n, available: names)
            }
            labelIndex = i
        }
        let body = header ? Array(rows.dropFirst()) : rows
        guard !body.isEmpty else { throw DatasetError.empty(path: path) }
        guard width - 1 > 0 else {
            throw DatasetError.raggedRow(path: path, line: first.line, expected: 2, found: width)
        }
        return (body, names, header, width, labelIndex)
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
/// as class indices.
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

    public var rowCount: Int { labels.count }
}
