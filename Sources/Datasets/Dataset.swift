// Dataset: features [N, D] (Float32, row-major) with integer class labels, plus the image shape
// when the features are images (for CNNs: [H, W, C], NHWC).
import Foundation
import TensorCore

public struct Dataset: Sendable {
    public var features: [Float]
    public var labels: [Int]
    public var featureCount: Int
    public var classCount: Int
    /// [H, W, C] when rows are images.
    public var imageShape: [Int]?

    public init(features: [Float], labels: [Int], featureCount: Int, classCount: Int, imageShape: [Int]? = nil) {
        precondition(featureCount > 0 && features.count == labels.count * featureCount,
                     "features must be [\(labels.count), \(featureCount)]")
        self.features = features
        self.labels = labels
        self.featureCount = featureCount
        self.classCount = classCount
        self.imageShape = imageShape
    }

    public var count: Int { labels.count }

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
        return Dataset(features: f, labels: indices.map { labels[$0] }, featureCount: featureCount,
                       classCount: classCount, imageShape: imageShape)
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
