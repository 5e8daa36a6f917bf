// Trainer.firstBatch: the first training batch of a run exactly as the model receives it
// (standardised, imputed, one-hot encoded, shuffled and augmented), for `hpsearch check`'s
// picture of what the network sees. It draws from the trainer's own batcher, augmenter and
// streams (`makeBatcher`, `makeAugmenter`, `augmentRNG`), so it cannot drift from `train`.
import Datasets
import Search
import TensorCore

extension Trainer {
    /// One batch of model inputs with the examples it came from.
    public struct FirstBatch: Sendable, Equatable {
        /// The input tensor's values, row-major [count, featureCount], bit for bit what `model(x)` gets.
        public var values: [Float]
        public var count: Int
        public var featureCount: Int
        /// [H, W, C] when the rows are images (NHWC), nil for tables.
        public var imageShape: [Int]?
        /// Class indices (classification); all 0 for regression.
        public var labels: [Int]
        /// Regression targets as the model is fitted to them (standardised), row-major
        /// [count, targetWidth]; nil for classification.
        public var targets: [Float]?
        /// Row k is training example `indices[k]` (an index into `data.train`).
        public var indices: [Int]
        /// Whether augmentations (flips, shifts) were applied to `values`.
        public var augmented: Bool
        /// The training seed the batch order and augmentations come from.
        public var seed: UInt64
    }

    /// The first batch of epoch 1 that a `Trainer(config:data:seed:…)` trains on: the same
    /// permutation (stream 2 of `seed`, epoch 1), batch size `min(config.batchSize, train.count)`
    /// and augmentations (stream 3 of `seed`, derived for epoch 1, first draws). Needs a
    /// non-empty training split. Builds no model.
    public static func firstBatch(config: TrainingConfig, data: PreparedData, seed: UInt64) -> FirstBatch {
        precondition(data.train.count > 0, "firstBatch needs a non-empty training split")
        let batcher = makeBatcher(config: config, data: data, seed: seed)
        let augmenter = makeAugmenter(config: config, data: data)
        var augmentRNG = augmentRNG(seed: seed, epoch: 1)
        var batch: FirstBatch?
        batcher.forEachIndexedBatch(epoch: 1, maxBatches: 1) { x, labels, indices in
            if let aug = augmenter { aug.apply(&x.data, rows: labels.count, rng: &augmentRNG) }
            batch = FirstBatch(values: x.data, count: labels.count, featureCount: data.featureCount, imageShape: data.imageShape,
                               labels: labels, targets: data.train.targets.map { _ in data.train.targetRows(indices) },
                               indices: Array(indices), augmented: augmenter != nil, seed: seed)
        }
        return batch!
    }

    /// `firstBatch(config:data:seed:)` of this trainer's configuration, data and seed.
    public func firstBatch() -> FirstBatch { Self.firstBatch(config: config, data: data, seed: seed) }
}
