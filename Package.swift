// swift-tools-version:6.0
// hpsearch: a distributed hyperparameter-search coordinator.
// Layering (lower never imports higher): CBLAS, CMPI, CZlib → TensorCore → NN → Datasets → … → hpsearch.
import PackageDescription

let package = Package(
    name: "hpsearch",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "hpsearch", targets: ["hpsearch"]),
        .library(name: "TensorCore", targets: ["TensorCore"]),
        .library(name: "NN", targets: ["NN"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // System-library shims.
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c",
                       providers: [.apt(["libopenmpi-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),

        // Hot elementwise loops (Adam, ReLU, bias gradients, pooling), vectorised per CPU at load
        // time; no FMA contraction, so every vector width rounds alike.
        .target(name: "CKernels", cSettings: [.unsafeFlags(["-O3", "-fno-math-errno", "-ffp-contract=off"])]),

        .target(name: "TensorCore", dependencies: ["CBLAS", "CKernels"]),
        .target(name: "NN", dependencies: ["TensorCore", "CKernels"]),
        .target(name: "Datasets", dependencies: ["TensorCore", "CZlib"]),
        .target(name: "Benchmarks", dependencies: ["TensorCore", "NN", "Datasets"]),
        .executableTarget(name: "hpsearch", dependencies: [
            "TensorCore", "NN", "Datasets", "Benchmarks",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Helpers shared by the test targets (gradient checker, test data).
        .target(name: "TestSupport", dependencies: ["TensorCore"], path: "Tests/TestSupport"),
        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore", "TestSupport"]),
        .testTarget(name: "NNTests", dependencies: ["NN", "TensorCore", "TestSupport"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "TestSupport"]),
    ]
)
