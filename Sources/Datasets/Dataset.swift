// Dataset: features [N, D] (Float32, row-major) with integer class labels (classification) or
// real-valued targets [N, T] (regression), plus the image shape when the features are images (for
// CNNs: [H, W, C], NHWC).
import Foundation
import TensorCore

public struct Dataset: Sendable {
    public var features: [Float]
    /// Class indices in 0..<classCount; for regression all 0 (one "class", so splits that
    /// stratify by class draw a plain seeded random sample).
    public var labels: [Int]
    public var featureCount: Int
    /// Classes; 1 for regression.
    public var classCount: Int
    /// [H, W, C] when rows are images.
    public var imageShape: [Int]?
    /// Regression targets; nil for classification.
    public var targets: Targets?

    /// Regression targets: `width` numbers per row as the model sees them (standardised once the
    /// fitted transform is applied) and the affine map back to their own units:
    /// value = values[i] × std[j] + mean[j] for target j.
    public struct Targets: Sendable, Equatable {
        /// Row-major [count, width].
        public var values: [Float]
        public var width: Int
        /// The target columns' names (`y`, or `y[j]` for arrays).
        public var names: [String]
        public var mean: [Double]
        public var std: [Double]

        /// Raw targets (identity map: mean 0, std 1).
        public init(values: [Float], width: Int, names: [String]) {
            self.init(values: values, width: width, names: names, mean: [Double](repeating: 0, count: width),
                      std: [Double](repeating: 1, count: width))
        }

        public init(values: [Float], width: Int, names: [String], mean: [Double], std: [Double]) {
            precondition(width > 0 && values.count % width == 0 && names.count == width && mean.count == width && std.count == width,
                         "targets must be [N, \(width)] with \(width) names, means and scales")
            self.values = values
            self.width = width
            self.names = names
            self.mean = mean
            self.std = std
        }

        /// The targets of `rows`, in that order, with the same map back.
        public func rows(_ rows: some Collection<Int>) -> Targets {
            var v = [Float](repeating: 0, count: rows.count * width)
            for (k, i) in rows.enumerated() { for j in 0..<width { v[k * width + j] = values[i * width + j] } }
            return Targets(values: v, width: width, names: names, mean: mean, std: std)
        }

        /// Target j of row r in its own units.
        public func value(row r: Int, target j: Int) -> Double { Double(values[r * width + j]) * std[j] + mean[j] }
    }

    public init(features: [Float], labels: [Int], featureCount: Int, classCount: Int, imageShape: [Int]? = nil) {
        precondition(featureCount > 0 && features.count == labels.count * featureCount,
                     "features must be [\(labels.count), \(featureCount)]")
        self.features = features
        self.labels = labels
        self.featureCount = featureCount
        self.classCount = classCount
        self.imageShape = imageShape
    }

    /// A regression dataset: features [N, featureCount] and targets [N, targets.width].
    public init(features: [Float], targets: Targets, featureCount: Int, imageShape: [Int]? = nil) {
        let n = targets.values.count / targets.width
        self.init(features: features, labels: [Int](repeating: 0, count: n), featureCount: featureCount, classCount: 1,
                  imageShape: imageShape)
        self.targets = targets
    }

    public var count: Int { labels.count }
    public var isRegression: Bool { targets != nil }
    /// The model's outputs per row: classes, or regression targets.
    public var outputCount: Int { targets?.width ?? classCount }

    /// The rows at `indices`, in that order.
    public func subset(_ indices: [Int]) -> Dataset {
        var f = [Float](repeating: 0, count: indices.count * featureCount)
        features.withUnsafeBufferPointer { src in
            f.withUnsafeMutableBufferPointer { dst in
                for (k, i) in indices.enumerated() {
                    (dst.baseAddress! + k * featureCount).update(from: src.baseAddress! + i * featureCount, count: featureCount)
                }
            }
        }
        var out = Dataset(features: f, labels: indices.map { labels[$0] }, featureCount: featureCount,
                          classCount: classCount, imageShape: imageShape)
        out.targets = targets?.rows(indices)
        return out
    }

    /// Rows `indices`' targets as the model sees them, [indices.count, width] (regression only).
    public func targetRows(_ indices: some Collection<Int>) -> [Float] {
        guard let t = targets else { preconditionFailure("targetRows on a classification dataset") }
        return t.rows(indices).values
    }

    /// Rows [start, end) as one contiguous block.
    public func slice(_ range: Range<Int>) -> Dataset { subset(Array(range)) }

    /// Counts per class.
    public var classCounts: [Int] {
        var c = [Int](repeating: 0, count: classCount)
        for l in labels { c[l] += 1 }
        return c
    }

    /// Loads an MNIST-layout directory (train-images-idx3-ubyte[.gz], …); pixels scaled to [0, 1].
    public static func loadIDX(directory: String, split: IDXSplit) throws -> Dataset {
        let prefix = split == .train ? "train" : "t10k"
        func path(_ stem: String) -> String {
            let plain = (directory as NSString).appendingPathComponent(stem)
            let gz = plain + ".gz"
            return FileManager.default.fileExists(atPath: gz) || !FileManager.default.fileExists(atPath: plain) ? gz : plain
        }
        let imagesPath = path("\(prefix)-images-idx3-ubyte"), labelsPath = path("\(prefix)-labels-idx1-ubyte")
        let images = try IDX.read(imagesPath, rank: 3)
        let labels = try IDX.read(labelsPath, rank: 1)
        guard images.shape[0] == labels.shape[0] else {
            throw DatasetError.countMismatch(images: imagesPath, imageCount: images.shape[0], labels: labelsPath, labelCount: labels.shape[0])
        }
        let h = images.shape[1], w = images.shape[2]
        let features = images.bytes.map { Float($0) / 255 }
        let ls = labels.bytes.map { Int($0) }
        return Dataset(features: features, labels: ls, featureCount: h * w,
                       classCount: (ls.max() ?? 0) + 1, imageShape: [h, w, 1])
    }

    /// Debian's `dataset-fashion-mnist` location.
    public static let fashionMNISTDirectory = "/usr/share/datasets/fashion-mnist"
}

public enum IDXSplit: Sendable { case train, test }

/// Seeded mini-batches over a dataset: a fresh permutation per epoch from (seed, epoch), and
/// reused input/label buffers.
public struct Batcher {
    public let dataset: Dataset
    public let batchSize: Int
    public let rng: RNG

    public init(dataset: Dataset, batchSize: Int, rng: RNG) {
        precondition(batchSize > 0, "batch size must be positive")
        self.dataset = dataset
        self.batchSize = batchSize
        self.rng = rng
    }

    /// Number of batches per epoch (the last one may be smaller).
    public var batchesPerEpoch: Int { (dataset.count + batchSize - 1) / batchSize }

    /// Calls `body(inputs [B, D], labels)` for each batch of `epoch`, in that epoch's seeded order,
    /// stopping after `maxBatches` batches.
    public func forEachBatch(epoch: Int, shuffle: Bool = true, maxBatches: Int = .max,
                             _ body: (Tensor, [Int]) throws -> Void) rethrows {
        try forEachIndexedBatch(epoch: epoch, shuffle: shuffle, maxBatches: maxBatches) { x, labels, _ in try body(x, labels) }
    }

    /// `forEachBatch`, also passing the batch's example indices into `dataset` (row k of the
    /// inputs is example `indices[k]`): for per-example targets kept beside the dataset, such as a
    /// teacher's soft targets.
    public func forEachIndexedBatch(epoch: Int, shuffle: Bool = true, maxBatches: Int = .max,
                                    _ body: (Tensor, [Int], ArraySlice<Int>) throws -> Void) rethrows {
        var order = Array(0..<dataset.count)
        if shuffle { var r = rng.derived(stream: UInt64(epoch)); order = r.permutation(dataset.count) }
        let d = dataset.featureCount
        var start = 0, done = 0
        var buffer = [Float](repeating: 0, count: batchSize * d)
        var labels = [Int](repeating: 0, count: batchSize)
        while start < dataset.count && done < maxBatches {
            let b = min(batchSize, dataset.count - start)
            if b != labels.count { buffer = [Float](repeating: 0, count: b * d); labels = [Int](repeating: 0, count: b) }
            dataset.features.withUnsafeBufferPointer { src in
                buffer.withUnsafeMutableBufferPointer { dst in
                    for k in 0..<b {
                        let i = order[start + k]
                        (dst.baseAddress! + k * d).update(from: src.baseAddress! + i * d, count: d)
                        labels[k] = dataset.labels[i]
                    }
                }
            }
            let x = Tensor(shape: [b, d], data: buffer)
            try body(x, labels, order[start..<(start + b)])
            start += b
            done += 1
        }
    }
}
