// FittedTransform: everything fitted on data to turn raw rows into features — the feature
// columns' types, vocabularies and imputation values, and the standardisation — fitted on the
// training split only, Codable (stored with the run as JSON), and re-applicable to new raw rows
// or arrays with bit-identical results.
//
// Tables (CSV):
// - A feature column is numeric when each of its non-missing cells (over the whole file) reads as
//   a number, else categorical; `categorical:` forces a column categorical. Types describe the
//   file, not a statistic, so the whole file decides them.
// - Missing cells: empty, or (any case) `nan`, `na`, `n/a`, `null`, `?`.
// - Numeric: missing cells get the training split's median (0 when the training split has no
//   value), plus a 0/1 missing-indicator feature right after the column — only for columns with a
//   missing cell in the training split (a column complete in training gets no indicator; its
//   missing validation/test cells still get the median and are counted).
// - Categorical: one-hot over the training split's distinct values (numbers in numeric order,
//   other text lexically; a missing cell is the category "", shown as "(missing)"); a value
//   absent from the training split becomes the zero vector and is counted as unseen.
// - Standardisation (x − mean) / std per numeric feature with training-split statistics (as
//   `Standardizer`); one-hot and indicator features stay 0/1.
// Arrays (IDX, NPY): images ([H, W, C]) get one mean and scale over all training pixels,
// (x − mean) × scale with scale = 1/std; tables ([F]) per-feature `Standardizer` statistics.
// Regression targets: (y − mean) / std per target with the training split's mean and (population)
// standard deviation (std 1 for a constant target); predictions map back as ŷ × std + mean.
import Foundation

public struct FittedTransform: Codable, Sendable, Equatable {
    /// One raw feature column of a table and how it becomes features.
    public struct Column: Codable, Sendable, Equatable {
        public enum Kind: String, Codable, Sendable { case numeric, categorical }
        public var name: String
        public var kind: Kind
        /// True when `categorical:` made the column categorical.
        public var forced: Bool
        /// Numeric: the value imputed for a missing cell (the training median, as Float32).
        public var fill: Float
        /// Numeric: a 0/1 missing-indicator feature follows the value.
        public var missingIndicator: Bool
        /// Categorical: the one-hot vocabulary, in feature order.
        public var categories: [String]

        public init(name: String, kind: Kind, forced: Bool = false, fill: Float = 0, missingIndicator: Bool = false,
                    categories: [String] = []) {
            self.name = name
            self.kind = kind
            self.forced = forced
            self.fill = fill
            self.missingIndicator = missingIndicator
            self.categories = categories
        }

        /// The features this column becomes.
        public var width: Int { kind == .numeric ? (missingIndicator ? 2 : 1) : categories.count }

        /// Feature names: `age`, `age (missing)`, `colour=red`.
        public var featureNames: [String] {
            switch kind {
            case .numeric: return missingIndicator ? [name, "\(name) (missing)"] : [name]
            case .categorical: return categories.map { "\(name)=\($0.isEmpty ? "(missing)" : $0)" }
            }
        }
    }

    /// Standardisation of the encoded features.
    public enum Scaling: Sendable, Equatable {
        /// (x − mean[j]) / std[j] per feature.
        case perFeature(mean: [Float], std: [Float])
        /// (x − mean) × scale for every value (images).
        case global(mean: Float, scale: Float)
    }

    /// Version of this layout, for stored transforms.
    public var version: Int
    /// A table's raw feature columns, in input order; empty for arrays, whose rows are
    /// `inputWidth` numbers.
    public var columns: [Column]
    /// Raw values per row: the table's column count, or the array's features per row.
    public var inputWidth: Int
    /// [H, W, C] when rows are images.
    public var imageShape: [Int]?
    public var scaling: Scaling
    /// The label classes, in class-index order (empty for regression).
    public var classNames: [String]
    /// Regression: the targets' standardisation; nil for classification (and then absent from the JSON).
    public var targets: TargetScaling?
    /// Raw values are divided by this before `scaling` (255 for IDX images, whose reader takes
    /// pixels to [0, 1]; nil: taken as they are, as .npy arrays are). Set by whoever knows how the
    /// training data was read (`StoredModel`); absent from the JSON when nil.
    public var inputDivisor: Float?

    /// How regression targets are standardised: (y − mean[j]) / std[j], fitted on the training split.
    public struct TargetScaling: Codable, Sendable, Equatable {
        public var names: [String]
        public var mean: [Double]
        public var std: [Double]

        public init(names: [String], mean: [Double], std: [Double]) {
            self.names = names
            self.mean = mean
            self.std = std
        }

        /// Fits on raw targets (identity-mapped `Dataset.Targets`).
        public init(fitting t: Dataset.Targets) {
            let n = t.values.count / t.width
            var mean = [Double](repeating: 0, count: t.width), sq = mean
            for r in 0..<n { for j in 0..<t.width { mean[j] += t.value(row: r, target: j) } }
            mean = mean.map { $0 / Double(max(n, 1)) }
            for r in 0..<n { for j in 0..<t.width { let d = t.value(row: r, target: j) - mean[j]; sq[j] += d * d } }
            self.init(names: t.names, mean: mean, std: sq.map { let s = ($0 / Double(max(n, 1))).squareRoot(); return s > 1e-12 ? s : 1 })
        }

        /// Raw targets (own units) → standardised targets carrying this map back.
        public func apply(_ t: Dataset.Targets) -> Dataset.Targets {
            let n = t.values.count / t.width
            var v = [Float](repeating: 0, count: t.values.count)
            for r in 0..<n { for j in 0..<t.width { v[r * t.width + j] = Float((t.value(row: r, target: j) - mean[j]) / std[j]) } }
            return Dataset.Targets(values: v, width: t.width, names: names, mean: mean, std: std)
        }
    }

    public init(columns: [Column], inputWidth: Int, imageShape: [Int]?, scaling: Scaling, classNames: [String],
                targets: TargetScaling? = nil) {
        version = 1
        self.columns = columns
        self.inputWidth = inputWidth
        self.imageShape = imageShape
        self.scaling = scaling
        self.classNames = classNames
        self.targets = targets
    }

    /// Features per row after the transform.
    public var featureCount: Int { columns.isEmpty ? inputWidth : columns.reduce(0) { $0 + $1.width } }

    /// The features' names, in order (`x[j]` for arrays).
    public var featureNames: [String] {
        columns.isEmpty ? (0..<inputWidth).map { "x[\($0)]" } : columns.flatMap(\.featureNames)
    }

    // MARK: Missing cells

    static let missingMarkers: Set<String> = ["", "nan", "-nan", "na", "n/a", "null", "?"]

    /// True for an empty cell or a missing marker (`NaN`, `NA`, `N/A`, `null`, `?`, any case).
    public static func isMissing(_ cell: String) -> Bool {
        cell.isEmpty || (cell.count <= 4 && missingMarkers.contains(cell.lowercased()))
    }

    // MARK: Arrays

    /// Fits standardisation on `train` (features already numbers): one mean and scale for images,
    /// per-feature statistics for tables.
    public static func fit(arrays train: Dataset, classNames: [String]) -> FittedTransform {
        let scaling: Scaling
        if train.imageShape != nil {
            var sum = 0.0, sq = 0.0
            for v in train.features { sum += Double(v) }
            let n = Double(max(train.features.count, 1)), mean = sum / n
            for v in train.features { let d = Double(v) - mean; sq += d * d }
            let std = Swift.max((sq / n).squareRoot(), 1e-8)
            scaling = .global(mean: Float(mean), scale: Float(1 / std))
        } else {
            let z = Standardizer(fitting: train)
            scaling = .perFeature(mean: z.mean, std: z.std)
        }
        return FittedTransform(columns: [], inputWidth: train.featureCount, imageShape: train.imageShape,
                               scaling: scaling, classNames: classNames, targets: train.targets.map(TargetScaling.init(fitting:)))
    }

    /// `data` with its features standardised (rows of `inputWidth` raw numbers for arrays, of
    /// encoded features for tables), and its raw regression targets standardised.
    public func apply(_ data: Dataset) -> Dataset {
        var out = data
        out.features = scale(data.features)
        if let t = data.targets, let z = targets { out.targets = z.apply(t) }
        return out
    }

    /// Raw array rows (row-major, `inputWidth` numbers each) → features (divided by
    /// `inputDivisor` first, when set, exactly as the IDX reader divides).
    public func apply(features raw: [Float]) -> [Float] {
        precondition(columns.isEmpty && raw.count % max(inputWidth, 1) == 0, "rows of \(inputWidth) numbers")
        guard let d = inputDivisor else { return scale(raw) }
        return scale(raw.map { $0 / d })
    }

    /// `apply(features:)` on unsigned bytes (IDX and uint8 `.npy` pixels) in one pass, with no
    /// intermediate arrays: the same operations in the same order, so the same bits.
    public func apply(bytes: UnsafeBufferPointer<UInt8>) -> [Float] {
        precondition(columns.isEmpty && bytes.count % max(inputWidth, 1) == 0, "rows of \(inputWidth) numbers")
        let d = inputDivisor
        return [Float](unsafeUninitializedCapacity: bytes.count) { out, initialized in
            switch scaling {
            case .global(let m, let s):
                if let d {
                    for i in 0..<bytes.count { out[i] = (Float(bytes[i]) / d - m) * s }
                } else {
                    for i in 0..<bytes.count { out[i] = (Float(bytes[i]) - m) * s }
                }
            case .perFeature(let mean, let std):
                let w = mean.count
                if w == 0 {
                    for i in 0..<bytes.count { out[i] = d.map { Float(bytes[i]) / $0 } ?? Float(bytes[i]) }
                } else {
                    mean.withUnsafeBufferPointer { mean in
                        std.withUnsafeBufferPointer { std in
                            for r in 0..<(bytes.count / w) {
                                for j in 0..<w {
                                    let v = Float(bytes[r * w + j])
                                    out[r * w + j] = ((d.map { v / $0 } ?? v) - mean[j]) / std[j]
                                }
                            }
                        }
                    }
                }
            }
            initialized = bytes.count
        }
    }

    func scale(_ x: [Float]) -> [Float] {
        var out = x
        switch scaling {
        case .global(let m, let s):
            for i in out.indices { out[i] = (x[i] - m) * s }
        case .perFeature(let mean, let std):
            let d = mean.count
            guard d > 0 else { return out }
            for r in 0..<(x.count / d) { for j in 0..<d { out[r * d + j] = (x[r * d + j] - mean[j]) / std[j] } }
        }
        return out
    }

    // MARK: Tables

    /// Column types (inferred from `table`, `categorical` forced), vocabularies, medians and
    /// standardisation fitted on `trainingRows` of `table`. `categorical` names feature columns by
    /// header name or 0-based file column.
    public static func fit(table: CSVTable, trainingRows: [Int], categorical: [CSVReader.LabelColumn] = []) throws -> FittedTransform {
        var forced = Set<Int>()
        for c in categorical {
            let j: Int?
            switch c {
            case .name(let n): j = table.featureNames.firstIndex(of: n)
            case .index(let i): j = table.fileColumns.firstIndex(of: i)
            }
            guard let j else {
                let shown: String
                switch c { case .name(let n): shown = n; case .index(let i): shown = "index \(i)" }
                throw DatasetError.unknownColumn(path: table.path, column: shown, available: table.featureNames)
            }
            forced.insert(j)
        }
        var columns: [Column] = []
        for (j, cells) in table.columns.enumerated() {
            let name = table.featureNames[j]
            let numeric = !forced.contains(j) && cells.allSatisfy { isMissing($0) || Float($0) != nil }
            if numeric {
                var values: [Float] = [], missing = false
                values.reserveCapacity(trainingRows.count)
                for r in trainingRows {
                    let cell = cells[r]
                    if isMissing(cell) { missing = true } else { values.append(Float(cell)!) }
                }
                values.sort()
                var fill: Float = 0
                if !values.isEmpty {
                    let h = values.count / 2
                    fill = values.count % 2 == 1 ? values[h] : Float((Double(values[h - 1]) + Double(values[h])) / 2)
                }
                columns.append(Column(name: name, kind: .numeric, fill: fill, missingIndicator: missing))
            } else {
                var distinct = Set<String>()
                for r in trainingRows { distinct.insert(category(cells[r])) }
                columns.append(Column(name: name, kind: .categorical, forced: forced.contains(j), categories: sortedCategories(distinct)))
            }
        }
        var transform = FittedTransform(columns: columns, inputWidth: columns.count, imageShape: nil,
                                        scaling: .perFeature(mean: [], std: []), classNames: table.classNames,
                                        targets: table.targets.map { TargetScaling(fitting: $0.rows(trainingRows)) })
        let encoded = try transform.encode(table: table, rows: trainingRows).features
        let width = transform.featureCount
        let z = Standardizer(fitting: Dataset(features: encoded, labels: trainingRows.map { table.labels[$0] },
                                              featureCount: width, classCount: max(table.classNames.count, 1)))
        var mean = z.mean, std = z.std
        var k = 0
        for c in columns {
            let first = c.kind == .numeric ? 1 : 0   // the numeric value is standardised; indicators and one-hot stay 0/1
            for f in 0..<c.width where f >= first { mean[k + f] = 0; std[k + f] = 1 }
            k += c.width
        }
        transform.scaling = .perFeature(mean: mean, std: std)
        return transform
    }

    /// A missing categorical cell is the category "".
    static func category(_ cell: String) -> String { isMissing(cell) ? "" : cell }

    /// Numbers in numeric order when every non-empty value is one, else lexical order.
    static func sortedCategories(_ values: Set<String>) -> [String] {
        if values.allSatisfy({ $0.isEmpty || Double($0) != nil }) {
            return values.sorted { a, b in
                switch (Double(a), Double(b)) {
                case let (x?, y?): return x != y ? x < y : a < b
                case (nil, _?): return false
                case (_?, nil): return true
                case (nil, nil): return a < b
                }
            }
        }
        return values.sorted()
    }

    /// Rows `rows` of `table` as standardised features, with per column the missing cells and
    /// (categorical) the values outside the vocabulary.
    public func apply(table: CSVTable, rows: [Int]) throws -> (features: [Float], missing: [Int], unseen: [Int]) {
        var e = try encode(table: table, rows: rows)
        e.features = scale(e.features)
        return e
    }

    /// New raw rows, each holding the cells of `columns` in order (the label left out), as
    /// features: what the same rows of the training file gave.
    public func apply(rows: [[String]]) throws -> [Float] {
        for (r, row) in rows.enumerated() where row.count != columns.count {
            throw DatasetError.rowWidth(row: r, expected: columns.count, found: row.count)
        }
        let table = CSVTable(path: "rows", featureNames: columns.map(\.name), fileColumns: Array(columns.indices),
                             hasHeader: false,
                             columns: columns.indices.map { j in rows.map { $0[j].trimmingCharacters(in: .whitespaces) } },
                             lines: Array(rows.indices), labels: [Int](repeating: 0, count: rows.count), classNames: classNames)
        return try apply(table: table, rows: Array(rows.indices)).features
    }

    /// The one-hot / imputed features of `rows` before standardisation.
    func encode(table: CSVTable, rows: [Int]) throws -> (features: [Float], missing: [Int], unseen: [Int]) {
        let width = featureCount
        var out = [Float](repeating: 0, count: rows.count * width)
        var missing = [Int](repeating: 0, count: columns.count), unseen = [Int](repeating: 0, count: columns.count)
        var offset = 0
        for (j, c) in columns.enumerated() {
            let cells = table.columns[j]
            switch c.kind {
            case .numeric:
                for (k, r) in rows.enumerated() {
                    let cell = cells[r]
                    if Self.isMissing(cell) {
                        missing[j] += 1
                        out[k * width + offset] = c.fill
                        if c.missingIndicator { out[k * width + offset + 1] = 1 }
                    } else {
                        guard let v = Float(cell) else { throw DatasetError.notANumber(column: c.name, row: r, value: cell) }
                        out[k * width + offset] = v
                    }
                }
            case .categorical:
                let index = Dictionary(uniqueKeysWithValues: c.categories.enumerated().map { ($1, $0) })
                for (k, r) in rows.enumerated() {
                    let cell = cells[r]
                    if Self.isMissing(cell) { missing[j] += 1 }
                    if let i = index[Self.category(cell)] { out[k * width + offset + i] = 1 } else { unseen[j] += 1 }
                }
            }
            offset += c.width
        }
        return (out, missing, unseen)
    }

    // MARK: JSON

    /// The transform as JSON (sorted keys; non-finite numbers as the strings "inf", "-inf", "nan").
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(self)
    }

    /// A transform from `json()`'s output.
    public init(json: Data) throws {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        self = try decoder.decode(FittedTransform.self, from: json)
    }
}

// Floats are stored as Doubles (exact), so that any JSON reader gives back the same bits.
extension FittedTransform.Scaling: Codable {
    private enum CodingKeys: String, CodingKey { case kind, mean, std, scale }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(String.self, forKey: .kind) {
        case "global":
            self = .global(mean: Float(try c.decode(Double.self, forKey: .mean)), scale: Float(try c.decode(Double.self, forKey: .scale)))
        case "per_feature":
            self = .perFeature(mean: try c.decode([Double].self, forKey: .mean).map(Float.init),
                               std: try c.decode([Double].self, forKey: .std).map(Float.init))
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .kind, in: c, debugDescription: "unknown scaling '\(other)'")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .global(let m, let s):
            try c.encode("global", forKey: .kind)
            try c.encode(Double(m), forKey: .mean)
            try c.encode(Double(s), forKey: .scale)
        case .perFeature(let m, let s):
            try c.encode("per_feature", forKey: .kind)
            try c.encode(m.map(Double.init), forKey: .mean)
            try c.encode(s.map(Double.init), forKey: .std)
        }
    }
}

extension FittedTransform.Column {
    private enum CodingKeys: String, CodingKey { case name, kind, forced, fill, missingIndicator = "missing_indicator", categories }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(name: try c.decode(String.self, forKey: .name), kind: try c.decode(Kind.self, forKey: .kind),
                  forced: try c.decodeIfPresent(Bool.self, forKey: .forced) ?? false,
                  fill: Float(try c.decodeIfPresent(Double.self, forKey: .fill) ?? 0),
                  missingIndicator: try c.decodeIfPresent(Bool.self, forKey: .missingIndicator) ?? false,
                  categories: try c.decodeIfPresent([String].self, forKey: .categories) ?? [])
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(kind, forKey: .kind)
        try c.encode(forced, forKey: .forced)
        try c.encode(Double(fill), forKey: .fill)
        try c.encode(missingIndicator, forKey: .missingIndicator)
        try c.encode(categories, forKey: .categories)
    }
}
