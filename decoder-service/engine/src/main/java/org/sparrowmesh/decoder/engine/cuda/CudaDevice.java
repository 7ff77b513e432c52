package org.sparrowmesh.decoder.engine.cuda;

/**
 * Whether a CUDA device can be used here, and which: never throws — without libcuda, without a
 * device or with a driver error it says why in {@link #reason()}.
 *
 * @param present       a device answered cuInit, cuDeviceGet and the attribute queries
 * @param reason        what was found, or why nothing was (the CudaException's message)
 * @param name          the device's name (cuDeviceGetName), or null
 * @param computeMajor  compute capability, e.g. 9 for an H100; 0 when absent
 * @param computeMinor  compute capability minor
 * @param memoryBytes   cuDeviceTotalMem, 0 when absent
 */
public record CudaDevice(boolean present, String reason, String name, int computeMajor, int computeMinor,
                         long memoryBytes) {

    /** Looks for device 0 through the driver API. */
    public static CudaDevice detect() {
        try {
            CudaDriver driver = CudaDriver.open();
            driver.init();
            int count = driver.deviceCount();
            if (count == 0) {
                return absent("the CUDA driver reports no device");
            }
            int device = driver.device(0);
            String name = driver.deviceName(device);
            int major = driver.deviceAttribute(CudaDriver.ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device);
            int minor = driver.deviceAttribute(CudaDriver.ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device);
            long memory = driver.deviceTotalMemory(device);
            if (major < 8) {
                return new CudaDevice(false, "device 0 (" + name + ") has compute capability " + major + "." + minor
                        + "; the kernels are built for sm_80 and newer", name, major, minor, memory);
            }
            return new CudaDevice(true, "device 0: " + name + ", sm_" + major + minor + ", " + (memory >> 20)
                    + " MiB, driver " + driver.driverVersion(), name, major, minor, memory);
        } catch (CudaException e) {
            return absent(e.getMessage());
        }
    }

    private static CudaDevice absent(String reason) {
        return new CudaDevice(false, reason, null, 0, 0, 0);
    }
}
