// ValidationView: the validation split as the report shows it (labels or targets, and features
// mapped back for people) and some models' outputs on it, with what the "Where the model fails"
// section computes from them: confusion matrices, the most confidently wrong examples and, for
// regression, the largest errors. Selection never reads the test split, so neither does this.

/// The validation split and models' outputs on it. Classification: `labels` and `classNames`
/// set, outputs are class probabilities [count × classes]. Regression: `targets` and
/// `targetNames` set, outputs are predictions in the targets' units [count × targets].
public struct ValidationView: Sendable {
    /// One model's outputs on every validation row, row-major.
    public struct Model: Sendable, Equatable {
        /// For the page: "best trial 12", "greedy ensemble #2 (3 members)".
        public var name: String
        public var outputs: [Float]

        public init(name: String, outputs: [Float]) {
            self.name = name
            self.outputs = outputs
        }
    }

    /// A row a model gets wrong: its predicted class and the probability it gave that class
    /// (classification), or its largest absolute error over the targets (regression).
    public struct Miss: Sendable, Equatable {
        public var row: Int
        /// Classification: the predicted (wrong) class; regression: the target with the largest error.
        public var predicted: Int
        /// Classification: the predicted class's probability; regression: the absolute error.
        public var score: Double
    }

    public var count: Int
    /// Classification: the class names, in label order; empty for regression.
    public var classNames: [String]
    /// Classification: each row's class.
    public var labels: [Int]
    /// Regression: the true targets in their own units, [count × targetNames.count]; empty otherwise.
    public var targets: [Double]
    /// Regression: the target names; empty for classification.
    public var targetNames: [String]
    /// Features for people, [count × featureCount]: images as pixel values, tables as the
    /// encoded features before standardisation (see `featureNote`).
    public var features: [Float]
    public var featureCount: Int
    /// Tables: one name per feature (`age`, `colour=red`); may be empty for images.
    public var featureNames: [String]
    /// [H, W, C] when rows are images.
    public var imageShape: [Int]?
    /// Images: the pixel range drawn black…white (the raw data's range); nil to scale each image
    /// to its own minimum…maximum.
    public var pixelRange: ClosedRange<Float>?
    /// One sentence on how `features` were obtained from what the model saw.
    public var featureNote: String
    /// The models, in the order shown (best trial first, then the ensemble).
    public var models: [Model]

    public init(classNames: [String], labels: [Int], targets: [Double] = [], targetNames: [String] = [],
                features: [Float], featureCount: Int, featureNames: [String] = [], imageShape: [Int]? = nil,
                pixelRange: ClosedRange<Float>? = nil, featureNote: String, models: [Model]) {
        self.count = targetNames.isEmpty ? labels.count : targets.count / max(targetNames.count, 1)
        self.classNames = classNames
        self.labels = labels
        self.targets = targets
        self.targetNames = targetNames
        self.features = features
        self.featureCount = featureCount
        self.featureNames = featureNames
        self.imageShape = imageShape
        self.pixelRange = pixelRange
        self.featureNote = featureNote
        self.models = models
    }

    public var isRegression: Bool { !targetNames.isEmpty }
    /// Outputs per row: classes, or targets.
    public var outputCount: Int { isRegression ? targetNames.count : classNames.count }

    /// Row `r`'s features.
    func features(of r: Int) -> ArraySlice<Float> { features[(r * featureCount)..<((r + 1) * featureCount)] }

    /// The class `model` predicts for row `r`: the most probable, the lowest index on ties.
    func predicted(_ model: Model, row r: Int) -> Int {
        let c = outputCount, p = model.outputs
        var best = 0
        for k in 1..<max(c, 1) where p[r * c + k] > p[r * c + best] { best = k }
        return best
    }

    /// Counts [true class][predicted class] over every row (classification).
    public func confusion(_ model: Model) -> [[Int]] {
        let c = outputCount
        var m = [[Int]](repeating: [Int](repeating: 0, count: c), count: c)
        for r in 0..<count where labels[r] >= 0 && labels[r] < c { m[labels[r]][predicted(model, row: r)] += 1 }
        return m
    }

    /// The rows `model` gets wrong with the highest probability on its (wrong) prediction, most
    /// confident first (ties: lower row first), at most `limit` (classification).
    public func confidentlyWrong(_ model: Model, limit: Int = 16) -> [Miss] {
        let c = outputCount
        var misses: [Miss] = []
        for r in 0..<count {
            let k = predicted(model, row: r)
            if k != labels[r] { misses.append(Miss(row: r, predicted: k, score: Double(model.outputs[r * c + k]))) }
        }
        return Array(misses.sorted { $0.score == $1.score ? $0.row < $1.row : $0.score > $1.score }.prefix(limit))
    }

    /// The rows with the largest absolute error (over their targets), largest first (ties: lower
    /// row first), at most `limit` (regression).
    public func largestErrors(_ model: Model, limit: Int = 16) -> [Miss] {
        let w = outputCount
        var misses: [Miss] = []
        for r in 0..<count {
            var worst = Miss(row: r, predicted: 0, score: -1)
            for j in 0..<w {
                let e = abs(Double(model.outputs[r * w + j]) - targets[r * w + j])
                if e > worst.score || e.isNaN { worst = Miss(row: r, predicted: j, score: e.isNaN ? .infinity : e) }
            }
            misses.append(worst)
        }
        return Array(misses.sorted { $0.score == $1.score ? $0.row < $1.row : $0.score > $1.score }.prefix(limit))
    }
}
