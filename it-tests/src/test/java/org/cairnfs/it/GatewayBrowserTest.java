package org.cairnfs.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.cairnfs.caps.Cap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A real browser against a real node: {@code cairn demo} (an introducer, 10 storage servers and
 * a client with its gateway, in its own JVM) and Debian's headless Chromium driven through its
 * own chromedriver with Selenium (no driver is downloaded). The browser opens a directory's read
 * cap link, follows a link into a subdirectory, downloads a file (SHA-256 compared), seeks in an
 * audio file served with Range, and loads the status page with the 10 servers. A screenshot of
 * each page goes to {@code it-tests/target/browser-screenshots/}.
 *
 * <p>Needs {@code chromium} and {@code chromium-driver} (Debian packages; other paths through
 * {@code CAIRN_CHROMIUM} and {@code CAIRN_CHROMEDRIVER}). Under {@code CI=true} a missing browser
 * fails the test; elsewhere it is skipped with the reason.
 */
class GatewayBrowserTest {
  private static final Duration UP = Duration.ofSeconds(180);
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Pattern GATEWAY = Pattern.compile("Gateway: (http://\\S+?)/?\\s");
  private static final int WAV_SECONDS = 600;
  private static final int WAV_RATE = 8000;

  @TempDir
  Path tmp;

  private ChildJvms jvms;
  private ChromeDriverService service;
  private ChromeDriver browser;
  private final HttpClient http = HttpClient.newBuilder()
      .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10)).build();

  @BeforeEach
  void setUp() {
    jvms = new ChildJvms(tmp.resolve("logs"));
  }

  @AfterEach
  void tearDown() throws Exception {
    try {
      if (browser != null) {
        browser.quit();
      }
    } finally {
      if (service != null) {
        service.stop();
      }
      jvms.close();
    }
  }

  @Test
  void aBrowserOpensAReadCapLinkFollowsItDownloadsSeeksAndSeesTenServers() throws Exception {
    Path chromium = tool("CAIRN_CHROMIUM", "/usr/bin/chromium", "chromium");
    Path driver = tool("CAIRN_CHROMEDRIVER", "/usr/bin/chromedriver", "chromium-driver");

    CairnProcess demo = jvms.startWithOptions(List.of(), Map.of(), List.of("-Xmx512m"), "demo",
        "demo", "--dir", tmp.resolve("demo").toString(), "--no-mount", "--web-port", "0");
    demo.awaitOutput("Ctrl-C", UP);
    Matcher m = GATEWAY.matcher(demo.output());
    assertThat(m.find()).as(demo.output()).isTrue();
    String base = m.group(1);

    // A tree made through the web API: root/media/{data.bin, tone.wav}
    String root = send("POST", base + "/uri?t=mkdir", new byte[0], 200).strip();
    String media = send("POST", base + "/uri/" + root + "/media?t=mkdir", new byte[0], 201)
        .strip();
    assertThat(media).startsWith("cairn:dir:");
    byte[] data = new byte[(3 << 20) + 17];
    new Random(8).nextBytes(data);
    send("PUT", base + "/uri/" + root + "/media/data.bin", data, 201);
    send("PUT", base + "/uri/" + root + "/media/tone.wav", wav(), 201);
    String readCap = Cap.parse(root).readOnly().toString();

    Path downloads = Files.createDirectories(tmp.resolve("downloads"));
    startBrowser(chromium, driver, downloads);

    // 1. the directory's read-cap link
    browser.get(base + "/uri/" + readCap);
    assertThat(browser.getTitle()).contains("Directory");
    assertThat(browser.getPageSource()).doesNotContain(root).doesNotContain("cairn:dir:");
    screenshot("1-directory");

    // 2. into the subdirectory, by its link (a read cap)
    browser.findElement(By.linkText("media/")).click();
    Await.until("the subdirectory page", () -> browser.getCurrentUrl().contains("cairn:dir-ro"),
        WAIT);
    assertThat(browser.findElement(By.tagName("body")).getText())
        .contains("data.bin").contains("tone.wav");
    assertThat(browser.getPageSource()).doesNotContain("cairn:dir:");
    screenshot("2-subdirectory");

    // 3. a download: the bytes on disk are the bytes put
    String fileLink = browser.findElement(By.linkText("data.bin")).getAttribute("href");
    browser.get(fileLink + "&save=true");
    Path saved = downloads.resolve("data.bin");
    Await.until("the download of data.bin", () -> Files.isRegularFile(saved)
        && noPartialDownloads(downloads), Duration.ofSeconds(60));
    assertThat(sha256(Files.readAllBytes(saved))).isEqualTo(sha256(data));

    // 4. the audio file in the browser's media player: metadata, then a seek near the end
    browser.get(base + "/uri/" + readCap);
    browser.findElement(By.linkText("media/")).click();
    Await.until("the subdirectory page", () -> browser.getCurrentUrl().contains("cairn:dir-ro"),
        WAIT);
    browser.findElement(By.linkText("tone.wav")).click();
    JavascriptExecutor js = browser;
    Await.until("the audio's metadata", () -> number(js.executeScript(
        "var v = document.querySelector('video, audio'); return v ? v.readyState : -1;")) >= 1,
        WAIT);
    assertThat(number(js.executeScript("return document.querySelector('video, audio').duration;")))
        .isBetween(WAV_SECONDS - 0.5, WAV_SECONDS + 0.5);
    js.executeScript("document.querySelector('video, audio').currentTime = 550;");
    Await.until("the seek to 550 s", () -> {
      Object r = js.executeScript("var v = document.querySelector('video, audio');"
          + " return v.seeking ? -1 : v.currentTime;");
      return Math.abs(number(r) - 550) < 1;
    }, WAIT);
    assertThat(number(js.executeScript("return document.querySelector('video, audio')"
        + ".error == null ? 0 : 1;"))).isZero();
    screenshot("3-audio");
    // the browser's media requests asked for ranges, and the gateway answered 206
    String metrics = send("GET", base + "/metrics", null, 200);
    assertThat(partialResponses(metrics)).as(metrics).isPositive();

    // 5. the status page: 10 servers, each connected, and the download just made
    browser.get(base + "/");
    String status = browser.findElement(By.tagName("body")).getText();
    assertThat(status).contains("10 of 10 storage servers connected");
    List<WebElement> rows = browser.findElements(By.xpath(
        "//h2[text()='Storage servers']/following-sibling::table[1]//tr[td]"));
    assertThat(rows).hasSize(10);
    assertThat(rows).allSatisfy(r -> assertThat(r.getText()).contains("connected")
        .doesNotContain("not connected"));
    assertThat(status).contains("data.bin");
    screenshot("4-status");
  }

  private void startBrowser(Path chromium, Path driver, Path downloads) throws IOException {
    Path shots = screenshots();
    service = new ChromeDriverService.Builder()
        .usingDriverExecutable(driver.toFile())
        .usingAnyFreePort()
        .withLogFile(shots.resolve("chromedriver.log").toFile())
        .build();
    ChromeOptions o = new ChromeOptions();
    o.setBinary(chromium.toFile());
    o.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
        "--disable-gpu", "--window-size=1200,900", "--mute-audio",
        "--autoplay-policy=no-user-gesture-required");
    o.setExperimentalOption("prefs", Map.of(
        "download.default_directory", downloads.toString(),
        "download.prompt_for_download", false,
        "safebrowsing.enabled", false));
    browser = new ChromeDriver(service, o);
    browser.executeCdpCommand("Browser.setDownloadBehavior", Map.of("behavior", "allow",
        "downloadPath", downloads.toString()));
    browser.manage().timeouts().pageLoadTimeout(WAIT);
  }

  /** A tool's path; missing, the test is skipped, or fails under CI. */
  private static Path tool(String env, String fallback, String debianPackage) {
    String p = System.getenv(env);
    Path path = Path.of(p != null && !p.isBlank() ? p : fallback);
    if (!Files.isExecutable(path)) {
      String why = path + " is missing: install the Debian package " + debianPackage
          + " (or set " + env + ")";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new AssertionError("the browser test must run in CI: " + why);
      }
      Assumptions.abort(why);
    }
    return path;
  }

  private static Path screenshots() throws IOException {
    String basedir = System.getProperty("basedir", ".");
    return Files.createDirectories(Path.of(basedir, "target", "browser-screenshots"));
  }

  private void screenshot(String name) throws IOException {
    byte[] png = browser.getScreenshotAs(OutputType.BYTES);
    assertThat(png.length).isGreaterThan(1000);
    Files.write(screenshots().resolve(name + ".png"), png);
  }

  private String send(String method, String url, byte[] body, int expect)
      throws IOException, InterruptedException {
    HttpRequest.BodyPublisher p = body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofByteArray(body);
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofSeconds(120)).method(method, p).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(method + " " + url + ": " + r.body()).isEqualTo(expect);
    return r.body();
  }

  private static boolean noPartialDownloads(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.noneMatch(p -> p.getFileName().toString().endsWith(".crdownload"));
    } catch (IOException e) {
      return false;
    }
  }

  private static double number(Object o) {
    return o instanceof Number n ? n.doubleValue() : Double.NaN;
  }

  /** GET responses with status 206 the gateway counted. */
  private static double partialResponses(String metrics) {
    double sum = 0;
    for (String line : metrics.split("\n")) {
      if (line.startsWith("cairn_gateway_requests_total{") && line.contains("method=\"GET\"")
          && line.contains("status=\"206\"")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  /**
   * A 10 min, 8 kHz, 16-bit mono PCM WAV of a 440 Hz tone (9.6 MB): far more than the browser
   * buffers ahead, so a seek near the end needs a range request.
   */
  private static byte[] wav() {
    int samples = WAV_SECONDS * WAV_RATE;
    ByteBuffer b = ByteBuffer.allocate(44 + samples * 2).order(ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + samples * 2)
        .put("WAVEfmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16).putShort((short) 1)
        .putShort((short) 1).putInt(WAV_RATE).putInt(WAV_RATE * 2).putShort((short) 2)
        .putShort((short) 16).put("data".getBytes(StandardCharsets.US_ASCII))
        .putInt(samples * 2);
    for (int i = 0; i < samples; i++) {
      b.putShort((short) (8000 * Math.sin(2 * Math.PI * 440 * i / WAV_RATE)));
    }
    return b.array();
  }

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }
}
