// DataSummary: what the data readers found and did, for the recipe's data look: rows per split,
// the classes, and per table column its inferred type, vocabulary, imputation and the missing
// cells and unseen categories of each split.
import Foundation

public struct DataSummary: Codable, Sendable, Equatable {
    /// A count per split.
    public struct Counts: Codable, Sendable, Equatable {
        public var train: Int
        public var validation: Int
        public var test: Int

        public init(train: Int = 0, validation: Int = 0, test: Int = 0) {
            self.train = train
            self.validation = validation
            self.test = test
        }

        public var total: Int { train + validation + test }
    }

    /// One raw feature column of a table.
    public struct Column: Codable, Sendable, Equatable {
        public var name: String
        public var kind: FittedTransform.Column.Kind
        /// Categorical because `categorical:` said so (not inferred).
        public var forced: Bool
        /// Categorical: the training split's vocabulary ("" is the missing category).
        public var categories: [String]
        /// Numeric: the imputed training median, when the column has a missing indicator.
        public var median: Double?
        public var missingIndicator: Bool
        /// Missing cells per split.
        public var missing: Counts
        /// Categorical: cells whose value the training split never had (zero vectors), per split.
        public var unseen: Counts

        public init(name: String, kind: FittedTransform.Column.Kind, forced: Bool = false, categories: [String] = [],
                    median: Double? = nil, missingIndicator: Bool = false, missing: Counts = Counts(), unseen: Counts = Counts()) {
            self.name = name
            self.kind = kind
            self.forced = forced
            self.categories = categories
            self.median = median
            self.missingIndicator = missingIndicator
            self.missing = missing
            self.unseen = unseen
        }
    }

    /// Where the data came from (`csv (path)`, `npy (x, y)`, …).
    public var source: String
    public var rows: Counts
    /// Features per row after the transform.
    public var featureCount: Int
    public var classNames: [String]
    /// [H, W, C] for images.
    public var imageShape: [Int]?
    /// Table columns; empty for arrays.
    public var columns: [Column]
    /// Regression: the target columns' names (classNames is empty then).
    public var targetNames: [String]?

    public init(source: String, rows: Counts, featureCount: Int, classNames: [String], imageShape: [Int]? = nil,
                columns: [Column] = [], targetNames: [String]? = nil) {
        self.source = source
        self.rows = rows
        self.featureCount = featureCount
        self.classNames = classNames
        self.imageShape = imageShape
        self.columns = columns
        self.targetNames = targetNames
    }

    /// Columns summed: missing cells and unseen categories over all columns.
    public var missingCells: Counts { columns.reduce(Counts()) { Counts(train: $0.train + $1.missing.train, validation: $0.validation + $1.missing.validation, test: $0.test + $1.missing.test) } }
    public var unseenCells: Counts { columns.reduce(Counts()) { Counts(train: $0.train + $1.unseen.train, validation: $0.validation + $1.unseen.validation, test: $0.test + $1.unseen.test) } }

    /// Printable lines: one for the data, one per column.
    public var lines: [String] {
        var out = ["\(source): \(rows.train) train, \(rows.validation) validation, \(rows.test) test rows; "
                   + "\(featureCount) features" + (imageShape.map { " (images \($0.map(String.init).joined(separator: "×")))" } ?? "")
                   + (targetNames.map { "; regression on \($0.count) target\($0.count == 1 ? "" : "s") (\($0.joined(separator: ", ")))" }
                      ?? "; \(classNames.count) classes")]
        for c in columns {
            var line = "  \(c.name): \(c.kind.rawValue)"
            switch c.kind {
            case .categorical:
                let shown = c.categories.prefix(8).map { $0.isEmpty ? "(missing)" : $0 }
                line += (c.forced ? " (forced)" : "") + ", \(c.categories.count) categories ("
                    + shown.joined(separator: ", ") + (c.categories.count > 8 ? ", …" : "") + ") one-hot"
                if c.unseen.total > 0 {
                    line += "; unseen in validation \(c.unseen.validation), in test \(c.unseen.test) (zero vectors)"
                }
            case .numeric:
                if c.missingIndicator, let m = c.median {
                    line += ", missing imputed with the training median \(m) + indicator"
                }
            }
            if c.missing.total > 0 {
                line += "; missing: \(c.missing.train) train, \(c.missing.validation) validation, \(c.missing.test) test"
            }
            out.append(line)
        }
        return out
    }
}
