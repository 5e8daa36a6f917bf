// CSVReader: numeric tables with one label column (by name or 0-based index), header optional.
// Labels may be numbers or strings; each distinct label becomes a class index, in sorted order.
// Every error names the file, line and column.
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
        let featureCount = width - 1
        guard featureCount > 0 else {
            throw DatasetError.raggedRow(path: path, line: first.line, expected: 2, found: width)
        }
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
        // Numeric labels sort numerically, others lexically.
        let distinct = Set(rawLabels)
        let classNames = distinct.allSatisfy { Double($0) != nil }
            ? distinct.sorted { Double($0)! < Double($1)! } : distinct.sorted()
        let index = Dictionary(uniqueKeysWithValues: classNames.enumerated().map { ($1, $0) })
        var featureNames = names
        featureNames.remove(at: labelIndex)
        let dataset = Dataset(features: features, labels: rawLabels.map { index[$0]! },
                              featureCount: featureCount, classCount: classNames.count)
        return Result(dataset: dataset, classNames: classNames, featureNames: featureNames)
    }
}
