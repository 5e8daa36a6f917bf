// Small synthetic problems that train in well under a second.
import Datasets
import Search
import TensorCore
@testable import Training

enum Fixtures {
    /// Gaussian blobs: `classes` centres in `features` dimensions, unit noise, separable.
    static func blobs(count: Int, classes: Int = 3, features: Int = 10, spread: Float = 3, seed: UInt64) -> Dataset {
        var centres = RNG(seed: 99)
        let mu = (0..<classes).map { _ in centres.normalArray(features, std: spread) }
        var rng = RNG(seed: seed)
        var x: [Float] = [], y: [Int] = []
        for i in 0..<count {
            let c = i % classes
            x += zip(mu[c], rng.normalArray(features)).map { $0 + $1 }
            y.append(c)
        }
        return Dataset(features: x, labels: y, featureCount: features, classCount: classes)
    }

    static func blobData(train: Int = 600, classes: Int = 3) -> PreparedData {
        var d = PreparedData(train: blobs(count: train, classes: classes, seed: 1), validation: blobs(count: 300, classes: classes, seed: 2),
                             test: blobs(count: 300, classes: classes, seed: 3))
        d.normalise()
        return d
    }

    /// 8×8 single-channel images: class k has a bright 3×3 square in quadrant k, plus noise.
    static func quadrants(count: Int, seed: UInt64) -> Dataset {
        var rng = RNG(seed: seed)
        var x: [Float] = [], y: [Int] = []
        for i in 0..<count {
            let c = i % 4
            var img = rng.normalArray(64, std: 0.3)
            let oy = (c / 2) * 4 + rng.int(below: 2), ox = (c % 2) * 4 + rng.int(below: 2)
            for dy in 0..<3 { for dx in 0..<3 { img[(oy + dy) * 8 + ox + dx] += 2 } }
            x += img
            y.append(c)
        }
        return Dataset(features: x, labels: y, featureCount: 64, classCount: 4, imageShape: [8, 8, 1])
    }

    static func imageData() -> PreparedData {
        PreparedData(train: quadrants(count: 400, seed: 1), validation: quadrants(count: 200, seed: 2), test: quadrants(count: 200, seed: 3))
    }

    static func mlp(width: Int = 32, depth: Int = 1, lr: Double = 3e-3) -> TrainingConfig {
        var c = TrainingConfig(model: .mlp)
        c.width = width
        c.depth = depth
        c.learningRate = lr
        c.batchSize = 32
        return c
    }

    static func cnn() -> TrainingConfig {
        var c = TrainingConfig(model: .cnn)
        c.convBlocks = 1
        c.channels = 4
        c.denseWidth = 16
        c.learningRate = 3e-3
        c.batchSize = 32
        return c
    }
}
