package org.alagg.bench;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

import javax.imageio.ImageIO;

/** docs/benchmarks.png: TCP goodput and ping round-trip time per setup, side by side, each setup in its own colour. */
final class Chart {
    private static final int WIDTH = 1800;
    private static final int HEIGHT = 600;
    /**
     * In the order of {@link Results#all}: direct veth grey (the reference), wireguard-go red, Alagg NFQUEUE blue,
     * Alagg NFQUEUE + auth violet, Alagg TUN green.
     */
    private static final List<Color> COLOURS = List.of(new Color(0x8C8C8C), new Color(0xD1495B), new Color(0x2E6FB7),
            new Color(0x7B52AB), new Color(0x2A9D5C));

    private Chart() {
    }

    static void write(Path file, Results results, Plan plan, String caption) throws IOException {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 22));
            g.drawString("Alagg against wireguard-go and direct veth, same topology, same run", 30, 38);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
            g.drawString(caption, 30, 62);
            List<String> setups = results.all().stream().map(Outcome::setup).toList();
            tcp(results, setups, plan).draw(g, new Rectangle(30, 90, WIDTH / 2 - 50, HEIGHT - 100));
            ping(results, setups, plan).draw(g, new Rectangle(WIDTH / 2 + 20, 90, WIDTH / 2 - 50, HEIGHT - 100));
        } finally {
            g.dispose();
        }
        ImageIO.write(image, "png", file.toFile());
    }

    private static BarPanel tcp(Results results, List<String> setups, Plan plan) {
        boolean spread = plan.tcpRuns() > 1;
        String runs = spread
                ? "median of " + plan.tcpRuns() + " runs of " + plan.tcpSeconds() + " s, whiskers min-max"
                : "one run of " + plan.tcpSeconds() + " s";
        BarPanel.Series goodput = new BarPanel.Series("offloads off",
                figures(results, m -> m.tcp().medianMbps()),
                spread ? figures(results, m -> m.tcp().minMbps()) : null,
                spread ? figures(results, m -> m.tcp().maxMbps()) : null, false);
        BarPanel.Series offloaded = new BarPanel.Series("offloads on",
                offloaded(results, TcpResult::medianMbps), spread ? offloaded(results, TcpResult::minMbps) : null,
                spread ? offloaded(results, TcpResult::maxMbps) : null, true);
        double wireGuard = results.wireGuardGo().measured().map(m -> m.tcp().medianMbps()).orElse(Double.NaN);
        double nfqueue = results.nfqueue().measured().map(m -> m.tcp().medianMbps()).orElse(Double.NaN);
        List<BarPanel.Reference> targets = List.of(
                new BarPanel.Reference(String.format(Locale.ROOT, "NFQUEUE %.1fx", Target.NFQUEUE_TCP_OVER_WIREGUARD),
                        Target.NFQUEUE_TCP_OVER_WIREGUARD * wireGuard),
                new BarPanel.Reference(String.format(Locale.ROOT, "TUN %.1fx", Target.TUN_TCP_OVER_WIREGUARD),
                        Target.TUN_TCP_OVER_WIREGUARD * wireGuard),
                new BarPanel.Reference(String.format(Locale.ROOT, "auth %.2fx", Target.AUTH_TCP_OF_PLAIN),
                        Target.AUTH_TCP_OF_PLAIN * nfqueue));
        return new BarPanel("TCP goodput A -> B, Mbit/s (higher is better)",
                runs + "; dashed: targets (x wireguard-go; auth: x NFQUEUE)", setups, COLOURS, List.of(goodput, offloaded),
                targets);
    }

    private static BarPanel ping(Results results, List<String> setups, Plan plan) {
        BarPanel.Series p50 = new BarPanel.Series("p50", figures(results, m -> 1000 * m.ping().percentile(50)), null, null,
                false);
        BarPanel.Series p99 = new BarPanel.Series("p99", figures(results, m -> 1000 * m.ping().percentile(99)), null, null,
                true);
        double wireGuard = results.wireGuardGo().measured().map(m -> 1000 * m.ping().percentile(50))
                .orElse(Double.NaN);
        double nfqueue = results.nfqueue().measured().map(m -> 1000 * m.ping().percentile(50)).orElse(Double.NaN);
        List<BarPanel.Reference> targets = List.of(
                new BarPanel.Reference("p50 <= wireguard-go", Target.PING_P50_OVER_WIREGUARD * wireGuard),
                new BarPanel.Reference(String.format(Locale.ROOT, "p99 %.0f", 1000 * Target.PING_P99_MILLISECONDS),
                        1000 * Target.PING_P99_MILLISECONDS),
                new BarPanel.Reference(
                        String.format(Locale.ROOT, "auth: NFQ + %.0f", Target.AUTH_PING_OVER_PLAIN_MICROS),
                        nfqueue + Target.AUTH_PING_OVER_PLAIN_MICROS));
        return new BarPanel("ping round-trip time A -> B, µs (lower is better)",
                plan.pings() + " pings at 100/s after " + plan.warmUpPings() + " not counted; dashed: targets", setups, COLOURS, List.of(p50, p99),
                targets);
    }

    /** One TCP figure per setup with veth offloads on, NaN for a setup that failed. */
    private static double[] offloaded(Results results, ToDoubleFunction<TcpResult> figure) {
        return results.all().stream().mapToDouble(o -> results.offloaded(o).tcp().map(figure::applyAsDouble)
                .orElse(Double.NaN)).toArray();
    }

    /** One figure per setup, NaN for a setup that failed. */
    private static double[] figures(Results results, ToDoubleFunction<Outcome.Measured> figure) {
        return results.all().stream()
                .mapToDouble(o -> o.measured().map(figure::applyAsDouble).orElse(Double.NaN)).toArray();
    }
}
