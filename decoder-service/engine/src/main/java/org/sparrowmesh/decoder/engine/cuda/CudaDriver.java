package org.sparrowmesh.decoder.engine.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The CUDA driver API ({@code libcuda}) through the FFM API: the few calls the decoder needs, each
 * bound on first use and each {@code CUresult} checked — anything but {@code CUDA_SUCCESS} becomes
 * a {@link CudaException} naming the call, the error and the Java file:line of the call site.
 *
 * <p>No JNI, no wrapper library: handles ({@code CUcontext}, {@code CUmodule}, …) are addresses,
 * device pointers are {@code long}s. The library is {@code libcuda.so.1} from the loader's path,
 * or {@code -Dmesh.cuda.library=/path/libcuda.so.1}.
 */
public final class CudaDriver {

    /** {@code CUDA_SUCCESS}. */
    public static final int SUCCESS = 0;
    /** {@code CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR} / {@code _MINOR}. */
    public static final int ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
    public static final int ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;
    public static final int ATTRIBUTE_MULTIPROCESSOR_COUNT = 16;

    private final Linker linker = Linker.nativeLinker();
    private final SymbolLookup library;
    private final String libraryName;
    private final Map<String, MethodHandle> handles = new ConcurrentHashMap<>();

    private CudaDriver(SymbolLookup library, String libraryName) {
        this.library = library;
        this.libraryName = libraryName;
    }

    /** The configured library name: {@code -Dmesh.cuda.library}, else {@code libcuda.so.1}. */
    public static String libraryName() {
        return System.getProperty("mesh.cuda.library", "libcuda.so.1");
    }

    /** Opens libcuda (does not call cuInit); a CudaException says why it cannot be loaded. */
    public static CudaDriver open() {
        String name = libraryName();
        try {
            return new CudaDriver(SymbolLookup.libraryLookup(name, Arena.global()), name);
        } catch (IllegalArgumentException | IllegalCallerException e) {
            throw new CudaException("cannot load the CUDA driver library " + name
                    + " (no NVIDIA driver on this machine, or not on the loader path): " + e.getMessage(), e);
        }
    }

    private MethodHandle handle(String symbol, FunctionDescriptor descriptor) {
        return handles.computeIfAbsent(symbol, s -> linker.downcallHandle(library.find(s).orElseThrow(
                () -> new CudaException(libraryName + " has no symbol " + s + " (driver too old?)", null)), descriptor));
    }

    private static FunctionDescriptor returnsInt(java.lang.foreign.MemoryLayout... arguments) {
        return FunctionDescriptor.of(JAVA_INT, arguments);
    }

    /** Calls {@code symbol} and checks its CUresult; {@code call} is the API name in messages. */
    private void invoke(String call, String symbol, FunctionDescriptor descriptor, Object... arguments) {
        int result;
        try {
            result = (int) handle(symbol, descriptor).invokeWithArguments(arguments);
        } catch (CudaException e) {
            throw e;
        } catch (Throwable t) {
            throw new CudaException("calling " + call + " through FFM failed: " + t, t);
        }
        check(call, result);
    }

    /** Turns a CUresult other than success into a CudaException with the driver's name and text for it. */
    public void check(String call, int result) {
        if (result != SUCCESS) {
            throw new CudaException(call, result, errorName(result), errorString(result), callSite());
        }
    }

    /** The project's first stack frame outside this class: the file:line that made the call. */
    private static String callSite() {
        return StackWalker.getInstance().walk(frames -> frames
                .filter(f -> !f.getClassName().equals(CudaDriver.class.getName())
                        && f.getClassName().startsWith("org.sparrowmesh."))
                .findFirst()
                .map(f -> f.getFileName() + ":" + f.getLineNumber())
                .orElse(null));
    }

    /** {@code cuGetErrorName}, or "CUresult n" when the driver does not know the code. */
    public String errorName(int result) {
        return errorText("cuGetErrorName", result, "CUresult " + result);
    }

    /** {@code cuGetErrorString}, or "" when the driver does not know the code. */
    public String errorString(int result) {
        return errorText("cuGetErrorString", result, "");
    }

    private String errorText(String symbol, int result, String fallback) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            int status = (int) handle(symbol, returnsInt(JAVA_INT, ADDRESS)).invokeExact(result, out);
            MemorySegment text = out.get(ADDRESS, 0);
            return status != SUCCESS || text.equals(MemorySegment.NULL) ? fallback
                    : text.reinterpret(1024).getString(0);
        } catch (Throwable t) {
            return fallback;
        }
    }

    public void init() {
        invoke("cuInit", "cuInit", returnsInt(JAVA_INT), 0);
    }

    public int driverVersion() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_INT);
            invoke("cuDriverGetVersion", "cuDriverGetVersion", returnsInt(ADDRESS), out);
            return out.get(JAVA_INT, 0);
        }
    }

    public int deviceCount() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_INT);
            invoke("cuDeviceGetCount", "cuDeviceGetCount", returnsInt(ADDRESS), out);
            return out.get(JAVA_INT, 0);
        }
    }

    /** {@code cuDeviceGet}: the CUdevice of ordinal {@code ordinal}. */
    public int device(int ordinal) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_INT);
            invoke("cuDeviceGet", "cuDeviceGet", returnsInt(ADDRESS, JAVA_INT), out, ordinal);
            return out.get(JAVA_INT, 0);
        }
    }

    public String deviceName(int device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(256);
            invoke("cuDeviceGetName", "cuDeviceGetName", returnsInt(ADDRESS, JAVA_INT, JAVA_INT), out, 256, device);
            return out.getString(0);
        }
    }

    public long deviceTotalMemory(int device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_LONG);
            invoke("cuDeviceTotalMem", "cuDeviceTotalMem_v2", returnsInt(ADDRESS, JAVA_INT), out, device);
            return out.get(JAVA_LONG, 0);
        }
    }

    public int deviceAttribute(int attribute, int device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_INT);
            invoke("cuDeviceGetAttribute", "cuDeviceGetAttribute", returnsInt(ADDRESS, JAVA_INT, JAVA_INT), out, attribute, device);
            return out.get(JAVA_INT, 0);
        }
    }

    /** {@code cuCtxCreate} (flags 0: automatic scheduling); the context becomes current on this thread. */
    public MemorySegment contextCreate(int device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            invoke("cuCtxCreate", "cuCtxCreate_v2", returnsInt(ADDRESS, JAVA_INT, JAVA_INT), out, 0, device);
            return out.get(ADDRESS, 0);
        }
    }

    public void contextSetCurrent(MemorySegment context) {
        invoke("cuCtxSetCurrent", "cuCtxSetCurrent", returnsInt(ADDRESS), context);
    }

    public void contextDestroy(MemorySegment context) {
        invoke("cuCtxDestroy", "cuCtxDestroy_v2", returnsInt(ADDRESS), context);
    }

    /** {@code cuModuleLoadData} of a cubin, PTX or fatbin image. */
    public MemorySegment moduleLoadData(byte[] image) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            MemorySegment data = arena.allocate(image.length + 1L); // PTX must end in NUL
            MemorySegment.copy(image, 0, data, JAVA_BYTE_LAYOUT, 0, image.length);
            invoke("cuModuleLoadData", "cuModuleLoadData", returnsInt(ADDRESS, ADDRESS), out, data);
            return out.get(ADDRESS, 0);
        }
    }

    private static final java.lang.foreign.ValueLayout.OfByte JAVA_BYTE_LAYOUT = java.lang.foreign.ValueLayout.JAVA_BYTE;

    public MemorySegment moduleGetFunction(MemorySegment module, String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            invoke("cuModuleGetFunction(" + name + ")", "cuModuleGetFunction", returnsInt(ADDRESS, ADDRESS, ADDRESS),
                    out, module, arena.allocateFrom(name));
            return out.get(ADDRESS, 0);
        }
    }

    public void moduleUnload(MemorySegment module) {
        invoke("cuModuleUnload", "cuModuleUnload", returnsInt(ADDRESS), module);
    }

    /** {@code cuMemAlloc}: a device pointer to {@code bytes} bytes. */
    public long memAlloc(long bytes) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_LONG);
            invoke("cuMemAlloc(" + bytes + " bytes)", "cuMemAlloc_v2", returnsInt(ADDRESS, JAVA_LONG), out, bytes);
            return out.get(JAVA_LONG, 0);
        }
    }

    public void memFree(long devicePointer) {
        invoke("cuMemFree", "cuMemFree_v2", returnsInt(JAVA_LONG), devicePointer);
    }

    public void memcpyHtoD(long destination, MemorySegment source, long bytes) {
        invoke("cuMemcpyHtoD", "cuMemcpyHtoD_v2", returnsInt(JAVA_LONG, ADDRESS, JAVA_LONG), destination, source, bytes);
    }

    public void memcpyDtoH(MemorySegment destination, long source, long bytes) {
        invoke("cuMemcpyDtoH", "cuMemcpyDtoH_v2", returnsInt(ADDRESS, JAVA_LONG, JAVA_LONG), destination, source, bytes);
    }

    public void memcpyHtoDAsync(long destination, MemorySegment source, long bytes, MemorySegment stream) {
        invoke("cuMemcpyHtoDAsync", "cuMemcpyHtoDAsync_v2", returnsInt(JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS),
                destination, source, bytes, stream);
    }

    public void memcpyDtoHAsync(MemorySegment destination, long source, long bytes, MemorySegment stream) {
        invoke("cuMemcpyDtoHAsync", "cuMemcpyDtoHAsync_v2", returnsInt(ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS),
                destination, source, bytes, stream);
    }

    /** A copy between two device buffers, queued on {@code stream}. */
    public void memcpyDtoDAsync(long destination, long source, long bytes, MemorySegment stream) {
        invoke("cuMemcpyDtoDAsync", "cuMemcpyDtoDAsync_v2", returnsInt(JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS),
                destination, source, bytes, stream);
    }

    /** {@code cuMemsetD8} of {@code bytes} bytes to {@code value}. */
    public void memsetD8(long destination, byte value, long bytes) {
        invoke("cuMemsetD8", "cuMemsetD8_v2", returnsInt(JAVA_LONG, java.lang.foreign.ValueLayout.JAVA_BYTE, JAVA_LONG),
                destination, value, bytes);
    }

    /**
     * {@code cuLaunchKernel} with {@code arguments} ({@link Integer}, {@link Long} device pointers,
     * {@link Float}) marshalled into the {@code void** kernelParams} array.
     */
    public void launchKernel(String name, MemorySegment function, int gridX, int gridY, int gridZ, int blockX,
                             int sharedBytes, MemorySegment stream, Object... arguments) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment parameters = arena.allocate(ADDRESS, arguments.length);
            for (int i = 0; i < arguments.length; i++) {
                MemorySegment value = arena.allocate(8, 8);
                switch (arguments[i]) {
                    case Integer v -> value.set(JAVA_INT, 0, v);
                    case Long v -> value.set(JAVA_LONG, 0, v);
                    case Float v -> value.set(JAVA_FLOAT, 0, v);
                    default -> throw new IllegalArgumentException("kernel " + name + " argument " + i
                            + " is a " + arguments[i].getClass().getSimpleName() + ", not an int, long or float");
                }
                parameters.setAtIndex(ADDRESS, i, value);
            }
            invoke("cuLaunchKernel(" + name + ")", "cuLaunchKernel", returnsInt(ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT,
                            JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS),
                    function, gridX, gridY, gridZ, blockX, 1, 1, sharedBytes, stream, parameters, MemorySegment.NULL);
        }
    }

    public MemorySegment streamCreate() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            invoke("cuStreamCreate", "cuStreamCreate", returnsInt(ADDRESS, JAVA_INT), out, 1); // CU_STREAM_NON_BLOCKING
            return out.get(ADDRESS, 0);
        }
    }

    public void streamSynchronize(MemorySegment stream) {
        invoke("cuStreamSynchronize", "cuStreamSynchronize", returnsInt(ADDRESS), stream);
    }

    public void streamDestroy(MemorySegment stream) {
        invoke("cuStreamDestroy", "cuStreamDestroy_v2", returnsInt(ADDRESS), stream);
    }

    public MemorySegment eventCreate() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            invoke("cuEventCreate", "cuEventCreate", returnsInt(ADDRESS, JAVA_INT), out, 0);
            return out.get(ADDRESS, 0);
        }
    }

    public void eventRecord(MemorySegment event, MemorySegment stream) {
        invoke("cuEventRecord", "cuEventRecord", returnsInt(ADDRESS, ADDRESS), event, stream);
    }

    public void eventSynchronize(MemorySegment event) {
        invoke("cuEventSynchronize", "cuEventSynchronize", returnsInt(ADDRESS), event);
    }

    /** Milliseconds between two recorded events. */
    public float eventElapsedMillis(MemorySegment start, MemorySegment end) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_FLOAT);
            invoke("cuEventElapsedTime", "cuEventElapsedTime", returnsInt(ADDRESS, ADDRESS, ADDRESS), out, start, end);
            return out.get(JAVA_FLOAT, 0);
        }
    }

    public void eventDestroy(MemorySegment event) {
        invoke("cuEventDestroy", "cuEventDestroy_v2", returnsInt(ADDRESS), event);
    }
}
