import java.nio.file.*; import java.security.SecureRandom;
import org.cairnfs.caps.mutable.*;
/** Writes share 0 of versions 1..N of one new slot: out/si (16 bytes), out/v<seq>. */
public class GenSlot {
  public static void main(String[] a) throws Exception {
    int n = Integer.parseInt(a[0]); Path out = Path.of(a[1]); Files.createDirectories(out);
    SecureRandom r = new SecureRandom();
    MutableKeys keys = MutableKeys.generate(r);
    Files.write(out.resolve("si"), keys.storageIndex().toBytes());
    MutableParams p = new MutableParams(1, 1, 64);
    for (int s = 1; s <= n; s++) {
      byte[][] shares = MutableFileWriter.write(keys, s, new byte[]{(byte) s}, p, r);
      Files.write(out.resolve("v" + s), shares[0]);
    }
    System.out.println("si " + keys.storageIndex() + " share bytes " + Files.size(out.resolve("v1")));
  }
}
