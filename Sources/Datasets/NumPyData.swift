// NumPyData: `.npy` / `.npz` arrays as datasets. x is [N, F] (a table) or [N, H, W] / [N, H, W, C]
// (images, NHWC; [N, H, W] has one channel); y is [N] or [N, 1] integer-valued labels of any
// supported dtype (regression: [N] or [N, T] finite targets). Values are taken as they are (uint8 pixels are not divided by 255:
// standardisation rescales them). Labels become class indices over the distinct values of the
// training and test labels together, in numeric order, named by their values.
import Foundation

public enum NumPyData {
    /// One split's arrays and where they came from (a path, or `archive.npz:x.npy`).
    public struct Arrays: Sendable {
        public var x: NPYArray
        public var xSource: String
        public var y: NPYArray
        public var ySource: String

        public init(x: NPYArray, xSource: String, y: NPYArray, ySource: String) {
            self.x = x
            self.xSource = xSource
            self.y = y
            self.ySource = ySource
        }
    }

    /// The training (and, when given, test) datasets, with class names shared by both (none for
    /// `regression`, whose y are targets: [N] or [N, T] finite numbers of any supported dtype).
    public static func datasets(train: Arrays, test: Arrays?, regression: Bool = false) throws
        -> (train: Dataset, test: Dataset?, classNames: [String]) {
        let trainX = try features(train.x, source: train.xSource, rowShape: nil)
        if regression {
            let trainY = try targets(train.y, source: train.ySource, rows: trainX.rows, xSource: train.xSource, width: nil)
            let trainSet = Dataset(features: trainX.features, targets: trainY, featureCount: trainX.featureCount, imageShape: trainX.imageShape)
            guard let test else { return (trainSet, nil, []) }
            let testX = try features(test.x, source: test.xSource, rowShape: Array(train.x.shape.dropFirst()))
            let testY = try targets(test.y, source: test.ySource, rows: testX.rows, xSource: test.xSource, width: trainY.width)
            return (trainSet, Dataset(features: testX.features, targets: testY, featureCount: testX.featureCount, imageShape: testX.imageShape), [])
        }
        let trainY = try labels(train.y, source: train.ySource, rows: trainX.rows, xSource: train.xSource)
        var testX: (features: [Float], rows: Int, featureCount: Int, imageShape: [Int]?)?, testY: [Int]?
        if let test {
            testX = try features(test.x, source: test.xSource, rowShape: Array(train.x.shape.dropFirst()))
            testY = try labels(test.y, source: test.ySource, rows: testX!.rows, xSource: test.xSource)
        }
        let values = Set(trainY).union(testY ?? []).sorted()
        let index = Dictionary(uniqueKeysWithValues: values.enumerated().map { ($1, $0) })
        func dataset(_ x: (features: [Float], rows: Int, featureCount: Int, imageShape: [Int]?), _ y: [Int]) -> Dataset {
            Dataset(features: x.features, labels: y.map { index[$0]! }, featureCount: x.featureCount,
                    classCount: values.count, imageShape: x.imageShape)
        }
        return (dataset(trainX, trainY), testX.map { dataset($0, testY!) }, values.map(String.init))
    }

    /// x's rows as Float32 features. `rowShape`: the training rows' shape a test x must match.
    public static func features(_ x: NPYArray, source: String, rowShape: [Int]?)
        throws -> (features: [Float], rows: Int, featureCount: Int, imageShape: [Int]?) {
        let expected = rowShape.map { "[M, " + $0.map(String.init).joined(separator: ", ") + "] (rows shaped as the training x's)" }
            ?? "[N, F] (a table), [N, H, W] or [N, H, W, C] (images)"
        let s = x.shape
        guard (2...4).contains(s.count), s.dropFirst().allSatisfy({ $0 > 0 }) else {
            throw DatasetError.featureShape(path: source, shape: s, expected: expected)
        }
        if let rowShape, Array(s.dropFirst()) != rowShape {
            throw DatasetError.featureShape(path: source, shape: s, expected: expected)
        }
        guard s[0] > 0 else { throw DatasetError.empty(path: source) }
        let imageShape: [Int]? = s.count == 2 ? nil : (s.count == 3 ? [s[1], s[2], 1] : [s[1], s[2], s[3]])
        let values = x.floats()
        if x.kind == .float, let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw DatasetError.nonFinite(path: source, index: bad, value: "\(x.double(at: bad))")
        }
        return (values, s[0], s.dropFirst().reduce(1, *), imageShape)
    }

    /// y's targets, raw: [N] (one target, named `y`) or [N, T] (`y[0]`, …); `width`: the training
    /// targets' count a test y must match.
    public static func targets(_ y: NPYArray, source: String, rows: Int, xSource: String, width: Int?) throws -> Dataset.Targets {
        guard y.shape.count == 1 || (y.shape.count == 2 && y.shape[1] >= 1), width == nil || (y.shape.count == 1 ? 1 : y.shape[1]) == width else {
            throw DatasetError.targetShape(path: source, shape: y.shape, expected: width.map { "[M] or [M, \($0)] (as the training y)" } ?? "[N] or [N, T]")
        }
        guard y.shape[0] == rows else {
            throw DatasetError.rowCountMismatch(x: xSource, xRows: rows, y: source, yRows: y.shape[0])
        }
        let t = y.shape.count == 1 ? 1 : y.shape[1]
        var values = [Float](repeating: 0, count: rows * t)
        for i in 0..<(rows * t) {
            let d = y.double(at: i)
            guard d.isFinite else { throw DatasetError.nonFinite(path: source, index: i, value: "\(d)".lowercased()) }
            values[i] = Float(d)
        }
        return Dataset.Targets(values: values, width: t, names: t == 1 ? ["y"] : (0..<t).map { "y[\($0)]" })
    }

    /// y's integer values, one per row of x.
    public static func labels(_ y: NPYArray, source: String, rows: Int, xSource: String) throws -> [Int] {
        guard y.shape.count == 1 || (y.shape.count == 2 && y.shape[1] == 1) else {
            throw DatasetError.labelShape(path: source, shape: y.shape)
        }
        guard y.shape[0] == rows else {
            throw DatasetError.rowCountMismatch(x: xSource, xRows: rows, y: source, yRows: y.shape[0])
        }
        var out = [Int](repeating: 0, count: rows)
        for i in 0..<rows {
            guard let v = y.integer(at: i) else {
                let d = y.double(at: i)
                throw DatasetError.nonIntegerLabel(path: source, index: i, value: d.isFinite ? "\(d)" : "\(d)".lowercased())
            }
            out[i] = v
        }
        return out
    }
}
