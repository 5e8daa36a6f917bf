// swift-tools-version:6.0
// hpsearch: a distributed hyperparameter-search coordinator.
// Layering (lower never imports higher): shims (CBLAS, CMPI, CZlib, CSQLite, CKernels, CSignals) →
// TensorCore → NN → Datasets → Training; Search (pure); Storage; Cluster; Ensembles (Training,
// Storage) → Coordinator (adds Cluster) → hpsearch. Reports reads Storage and Search only.
import PackageDescription

let package = Package(
    name: "hpsearch",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "hpsearch", targets: ["hpsearch"]),
        .library(name: "HPSearchKit", targets: ["HPSearchKit"]),
        .library(name: "TensorCore", targets: ["TensorCore"]),
        .library(name: "NN", targets: ["NN"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        // System-library shims.
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c",
                       providers: [.apt(["libopenmpi-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),

        // Hot elementwise loops (Adam, ReLU, bias gradients, pooling), vectorised per CPU at load
        // time; no FMA contraction, so every vector width rounds alike.
        .target(name: "CSignals"),
        .target(name: "CKernels", cSettings: [.unsafeFlags(["-O3", "-fno-math-errno", "-ffp-contract=off"])]),

        .target(name: "TensorCore", dependencies: ["CBLAS", "CKernels"]),
        .target(name: "NN", dependencies: ["TensorCore", "CKernels"]),
        .target(name: "Datasets", dependencies: ["TensorCore", "CZlib"]),
        // The sweep file, distributions, samplers and stoppers: pure (no I/O beyond reading the
        // sweep file, no MPI, no SQLite).
        .target(name: "Search", dependencies: [.product(name: "Yams", package: "Yams")]),
        // Model builders, the trainer, the recipe's checks, the LR range test. Reads a trial's
        // configuration and the sweep's data section in Search's vocabulary.
        .target(name: "Training", dependencies: ["TensorCore", "NN", "Datasets", "Search"]),
        // The sweep's records: SQLite through its C API (prepared statements; see README).
        .target(name: "Storage", dependencies: ["Search", "CSQLite"]),
        // Ranks talking: MPI (polled, never spinning) and an in-process world for tests and laptops.
        .target(name: "Cluster", dependencies: ["Search", "CMPI"]),
        // Ensembles of the best trials (average, Caruana greedy), distillation teachers and their
        // evaluation, on a sweep's stored results.
        .target(name: "Ensembles", dependencies: ["Search", "Storage", "Training", "TensorCore", "NN", "Datasets"]),
        // Rank 0's decisions, the loops that drive a sweep (MPI, or one process) and SweepDriver:
        // everything `run`, `resume` and `distill` do besides parsing and printing.
        .target(name: "Coordinator", dependencies: ["Search", "Storage", "Cluster", "Training", "Ensembles", "NN", "TensorCore", "CSignals"]),
        // What users look at: SVG plots, tables, reports.
        .target(name: "Reports", dependencies: ["Search", "Storage", "CZlib"]),
        .target(name: "Benchmarks", dependencies: ["TensorCore", "NN", "Datasets"]),
        // The command-line tool's commands (swift-argument-parser): parse, call one module, print.
        .target(name: "HPSearchCLI", dependencies: [
            "TensorCore", "NN", "Datasets", "Search", "Storage", "Cluster", "Coordinator", "Ensembles", "Training", "Reports", "Benchmarks",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "hpsearch", dependencies: ["HPSearchCLI"]),
        // The library a Swift package uses to add its own model family and get the whole CLI.
        .target(name: "HPSearchKit", dependencies: ["HPSearchCLI", "Training", "NN", "Search", "TensorCore"]),

        // Helpers shared by the test targets (gradient checker, test data).
        .target(name: "TestSupport", dependencies: ["TensorCore"], path: "Tests/TestSupport"),
        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore", "TestSupport"]),
        .testTarget(name: "NNTests", dependencies: ["NN", "TensorCore", "TestSupport"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "TestSupport"]),
        .testTarget(name: "SearchTests", dependencies: ["Search", "TestSupport"], exclude: ["Malformed"]),
        .testTarget(name: "StorageTests", dependencies: ["Storage", "Search", "TestSupport"]),
        .testTarget(name: "ClusterTests", dependencies: ["Cluster", "Search", "TestSupport"]),
        .testTarget(name: "CoordinatorTests", dependencies: ["Coordinator", "Cluster", "Storage", "Search", "Training", "Datasets", "TestSupport"]),
        .testTarget(name: "EnsemblesTests", dependencies: ["Ensembles", "Coordinator", "Cluster", "Storage", "Search", "Training", "Datasets", "TestSupport"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "Search", "Storage", "Ensembles", "Training", "Datasets", "TensorCore", "TestSupport", "CZlib"]),
        // The built binary, run as a user runs it.
        .testTarget(name: "CLITests", dependencies: ["Reports", "Datasets", "TestSupport"], exclude: ["Help"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Search", "NN", "TensorCore", "Datasets", "TestSupport"]),
    ]
)
