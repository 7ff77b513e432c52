package org.sparrowmesh.decoder.engine.cuda;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in libcuda compiled with gcc for the tests: the driver entry points CudaDriver binds,
 * answering like a driver with one sm_90 device (or none), recording each cuLaunchKernel's kernel,
 * grid, block and first parameters, refusing copies that do not fall inside one allocation and
 * images without the fatbin magic — so the FFM bindings,
 * the CUresult checks and the kernel launchers run here, without a GPU. Not a simulator: kernels
 * do not execute.
 */
final class FakeCudaDriver {

    static final String SOURCE = """
            #include <stdint.h>
            #include <string.h>
            #include <stddef.h>
            #include <stdlib.h>
            static int init_result = 100;
            static int launches = 0;
            static unsigned last_grid[3], last_block;
            static uint64_t last_params[12];
            int fake_set_init_result(int r) { init_result = r; return 0; }
            int fake_launches(void) { return launches; }
            int fake_last_launch(unsigned* grid, unsigned* block, uint64_t* params) {
              memcpy(grid, last_grid, sizeof last_grid); *block = last_block;
              memcpy(params, last_params, sizeof last_params); return 0; }
            int cuInit(unsigned flags) { return flags == 0 ? init_result : 1; }
            int cuDriverGetVersion(int* v) { *v = 13000; return 0; }
            int cuDeviceGetCount(int* c) { *c = 1; return 0; }
            int cuDeviceGet(int* d, int ordinal) { if (ordinal != 0) return 101; *d = 0; return 0; }
            int cuDeviceGetName(char* name, int len, int d) { strncpy(name, "Fake H100", len); return 0; }
            int cuDeviceGetAttribute(int* v, int attribute, int d) {
              *v = attribute == 75 ? 9 : attribute == 76 ? 0 : 132; return 0; }
            int cuDeviceTotalMem_v2(size_t* bytes, int d) { *bytes = (size_t)80 << 30; return 0; }
            int cuCtxCreate_v2(void** c, unsigned flags, int d) { *c = (void*)0x1234; return 0; }
            int cuCtxSetCurrent(void* c) { return 0; }
            int cuCtxDestroy_v2(void* c) { return 0; }
            int cuGetErrorName(int e, const char** s) {
              switch (e) {
                case 2: *s = "CUDA_ERROR_OUT_OF_MEMORY"; return 0;
                case 100: *s = "CUDA_ERROR_NO_DEVICE"; return 0;
                case 101: *s = "CUDA_ERROR_INVALID_DEVICE"; return 0;
                case 200: *s = "CUDA_ERROR_INVALID_IMAGE"; return 0;
              }
              *s = 0; return 1; }
            int cuGetErrorString(int e, const char** s) {
              switch (e) {
                case 2: *s = "out of memory"; return 0;
                case 100: *s = "no CUDA-capable device is detected"; return 0;
                case 101: *s = "invalid device ordinal"; return 0;
                case 200: *s = "device kernel image is invalid"; return 0;
              }
              *s = 0; return 1; }
            #define MAX_ALLOCATIONS 4096
            #define MAX_LAUNCHES 8192
            static uint64_t base[MAX_ALLOCATIONS];
            static size_t size[MAX_ALLOCATIONS];
            static int allocations = 0;
            static uint64_t next_pointer = 0x700000000000ull;
            static char names[MAX_LAUNCHES][24];
            static unsigned grids[MAX_LAUNCHES][3];
            int cuMemAlloc_v2(uint64_t* p, size_t bytes) {
              if (bytes > ((size_t)80 << 30) || allocations == MAX_ALLOCATIONS) return 2;
              base[allocations] = next_pointer; size[allocations++] = bytes;
              *p = next_pointer; next_pointer += ((bytes + 255) & ~(size_t)255) + 256; return 0; }
            int cuMemFree_v2(uint64_t p) { return 0; }
            /* a copy must fall inside one allocation: CUDA_ERROR_INVALID_VALUE otherwise */
            static int inside(uint64_t p, size_t bytes) {
              for (int i = 0; i < allocations; i++) if (p >= base[i] && p + bytes <= base[i] + size[i]) return 0;
              return 1; }
            int cuMemcpyHtoD_v2(uint64_t d, const void* s, size_t bytes) { return inside(d, bytes); }
            int cuMemcpyHtoDAsync_v2(uint64_t d, const void* s, size_t bytes, void* st) { return inside(d, bytes); }
            int cuMemcpyDtoH_v2(void* d, uint64_t s, size_t bytes) { if (inside(s, bytes)) return 1; memset(d, 0, bytes); return 0; }
            int cuMemcpyDtoHAsync_v2(void* d, uint64_t s, size_t bytes, void* st) { return cuMemcpyDtoH_v2(d, s, bytes); }
            static int device_copies = 0;
            static uint64_t device_copy_bytes = 0;
            int cuMemcpyDtoDAsync_v2(uint64_t d, uint64_t s, size_t bytes, void* st) {
              if (inside(d, bytes) || inside(s, bytes)) return 1;
              device_copies++; device_copy_bytes += bytes; return 0; }
            int fake_device_copies(void) { return device_copies; }
            uint64_t fake_device_copy_bytes(void) { return device_copy_bytes; }
            int cuModuleLoadData(void** module, const void* image) {
              uint32_t magic; memcpy(&magic, image, 4);
              if (magic != 0xBA55ED50u) return 200; *module = (void*)0x5000; return 0; }
            int cuModuleGetFunction(void** f, void* module, const char* name) { *f = strdup(name); return 0; }
            int cuModuleUnload(void* module) { return 0; }
            int cuStreamCreate(void** s, unsigned flags) { *s = (void*)0x5; return 0; }
            int cuStreamSynchronize(void* s) { return 0; }
            int cuStreamDestroy_v2(void* s) { return 0; }
            int cuEventCreate(void** e, unsigned flags) { *e = (void*)0x6; return 0; }
            int cuEventRecord(void* e, void* s) { return 0; }
            int cuEventSynchronize(void* e) { return 0; }
            int cuEventElapsedTime(float* ms, void* a, void* b) { *ms = 1.25f; return 0; }
            int cuEventDestroy_v2(void* e) { return 0; }
            /* how many parameters each kernel takes (the .cu signatures); the rest take six or more */
            static int parameters(const char* name) {
              if (!strcmp(name, "softmax") || !strcmp(name, "swiglu") || !strcmp(name, "residual_add")) return 3;
              if (!strcmp(name, "argmax")) return 4;
              if (!strcmp(name, "top_k") || !strcmp(name, "rmsnorm") || !strcmp(name, "embed")) return 5;
              return 6; }
            int cuLaunchKernel(void* f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                               unsigned shared, void* stream, void** params, void** extra) {
              if (launches < MAX_LAUNCHES) {
                strncpy(names[launches], (const char*)f, 23);
                grids[launches][0] = gx; grids[launches][1] = gy; grids[launches][2] = gz; }
              launches++; last_grid[0] = gx; last_grid[1] = gy; last_grid[2] = gz; last_block = bx;
              for (int i = 0; i < 12; i++) last_params[i] = 0;
              for (int i = 0; i < parameters((const char*)f); i++) memcpy(&last_params[i], params[i], 8);
              return 0; }
            int fake_launch(int i, char* name, unsigned* grid) {
              if (i < 0 || i >= launches || i >= MAX_LAUNCHES) return 1;
              strcpy(name, names[i]); memcpy(grid, grids[i], sizeof grids[i]); return 0; }
            """;

    final Path library;
    private final MethodHandle setInitResult;
    private final MethodHandle launches;
    private final MethodHandle lastLaunch;
    private final MethodHandle launch;
    private final MethodHandle deviceCopies;
    private final MethodHandle deviceCopyBytes;

    private FakeCudaDriver(Path library) {
        this.library = library;
        SymbolLookup lookup = SymbolLookup.libraryLookup(library, Arena.global());
        Linker linker = Linker.nativeLinker();
        setInitResult = linker.downcallHandle(lookup.find("fake_set_init_result").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        launches = linker.downcallHandle(lookup.find("fake_launches").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT));
        lastLaunch = linker.downcallHandle(lookup.find("fake_last_launch").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        launch = linker.downcallHandle(lookup.find("fake_launch").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        deviceCopies = linker.downcallHandle(lookup.find("fake_device_copies").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT));
        deviceCopyBytes = linker.downcallHandle(lookup.find("fake_device_copy_bytes").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_LONG));
    }

    /** Compiles the fake into {@code folder}; skips the test with the reason when gcc is absent. */
    static FakeCudaDriver compile(Path folder) throws Exception {
        Path gcc = Path.of("/usr/bin/gcc");
        assumeTrue(Files.isExecutable(gcc), "no gcc at " + gcc + " to build the stand-in libcuda");
        Path source = folder.resolve("fake_libcuda.c");
        Files.writeString(source, SOURCE);
        Path library = folder.resolve("libcuda.so.1");
        Process process = new ProcessBuilder(gcc.toString(), "-shared", "-fPIC", "-O1", "-o", library.toString(), source.toString())
                .redirectErrorStream(true).start();
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new AssertionError("gcc failed on the stand-in libcuda: " + new String(process.getInputStream().readAllBytes()));
        }
        return new FakeCudaDriver(library);
    }

    /** Runs {@code body} with -Dmesh.cuda.library pointing at this fake. */
    void use(ThrowingRunnable body) throws Exception {
        String previous = System.setProperty("mesh.cuda.library", library.toString());
        try {
            body.run();
        } finally {
            if (previous == null) {
                System.clearProperty("mesh.cuda.library");
            } else {
                System.setProperty("mesh.cuda.library", previous);
            }
        }
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    void initResult(int result) {
        try {
            int ignored = (int) setInitResult.invokeExact(result);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** cuMemcpyDtoDAsync calls so far (each inside its allocations), and their bytes. */
    int deviceCopies() {
        try {
            return (int) deviceCopies.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    long deviceCopyBytes() {
        try {
            return (long) deviceCopyBytes.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    int launches() {
        try {
            return (int) launches.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Launch {@code i}: its kernel's name and grid, as "name gx×gy×gz". */
    String launch(int i) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment name = arena.allocate(32);
            MemorySegment grid = arena.allocate(ValueLayout.JAVA_INT, 3);
            int status = (int) launch.invokeExact(i, name, grid);
            if (status != 0) {
                throw new AssertionError("no launch " + i);
            }
            return name.getString(0) + " " + grid.getAtIndex(ValueLayout.JAVA_INT, 0) + "×"
                    + grid.getAtIndex(ValueLayout.JAVA_INT, 1) + "×" + grid.getAtIndex(ValueLayout.JAVA_INT, 2);
        } catch (Throwable t) {
            throw t instanceof AssertionError a ? a : new AssertionError(t);
        }
    }

    /** grid x, y, z, block x, then the first six kernel parameters as raw 8-byte words. */
    long[] lastLaunch() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment grid = arena.allocate(ValueLayout.JAVA_INT, 3);
            MemorySegment block = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment params = arena.allocate(ValueLayout.JAVA_LONG, 12);
            try {
                int ignored = (int) lastLaunch.invokeExact(grid, block, params);
            } catch (Throwable t) {
                throw new AssertionError(t);
            }
            long[] out = new long[10];
            for (int i = 0; i < 3; i++) {
                out[i] = grid.getAtIndex(ValueLayout.JAVA_INT, i);
            }
            out[3] = block.get(ValueLayout.JAVA_INT, 0);
            for (int i = 0; i < 6; i++) {
                out[4 + i] = params.getAtIndex(ValueLayout.JAVA_LONG, i);
            }
            return out;
        }
    }
}
