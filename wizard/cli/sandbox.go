package cli

import (
	"fmt"
	"net"
	"os"

	"github.com/spf13/cobra"

	"github.com/meshgradient/mesh-gradient/mesh/meshemu"
)

type sandboxOptions struct{ listen string }

func newSandboxCmd(f *Factory, g *Globals) *cobra.Command {
	var o sandboxOptions
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "run the Synthesize and Mesh portal emulators until interrupted",
		Example: "  mesh-gradient sandbox --listen 127.0.0.1:0 > sandbox.env &   # then: set -a; . ./sandbox.env; set +a\n" +
			"  mesh-gradient sandbox --scenario rehearsal.json",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			sc, err := scenario(g)
			if err != nil {
				return err
			}
			sb, err := meshemu.StartSandbox(meshemu.SandboxOptions{Listen: o.listen, Scenario: sc})
			if err != nil {
				return err
			}
			if warning := exposed(o.listen); warning != "" {
				fmt.Fprintln(f.IO.ErrOut, "sandbox: "+warning)
			}
			defer sb.Close()
			// The context hears Ctrl+C from before the lines are printed: a
			// script may signal as soon as it has read them.
			ctx := cmd.Context()
			fmt.Fprintf(f.IO.Out, "GRADIENT_URL=%s\nGRADIENT_TOKEN=%s\nGRADIENT_VENDOR_KEY=%s\nMESH_PORTAL_URL=%s\nMESH_API_KEY=%s\n",
				sb.GradientURL, sb.Emulator.PartnerToken(), sb.Emulator.VendorKey(), sb.PortalURL, sb.MeshAPIKey)
			if file, ok := f.IO.Out.(*os.File); ok {
				_ = file.Sync()
			}
			fmt.Fprintf(f.IO.ErrOut, "sandbox: Synthesize emulator at %s, Mesh portal at %s; Ctrl+C stops it (its state is in memory only)\n",
				sb.GradientURL, sb.PortalURL)
			select {
			case <-ctx.Done():
				return nil
			case err := <-sb.Done():
				return fmt.Errorf("sandbox stopped: %w", err)
			}
		},
	}
	cmd.Flags().StringVar(&o.listen, "listen", "127.0.0.1:8725", "Synthesize emulator `ADDR`; the Mesh portal takes the next port (:0 picks free ports)")
	return cmd
}

// exposed warns when the sandbox listens beyond this machine: anyone who
// reaches the port with the printed token can use it.
func exposed(listen string) string {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return ""
	}
	if ip := net.ParseIP(host); host == "localhost" || ip != nil && ip.IsLoopback() {
		return ""
	}
	return fmt.Sprintf("listening on %s, not only on this machine: anyone who can reach it and has the printed token "+
		"can use the emulated Synthesize and Mesh portal. Use --listen 127.0.0.1:0 unless you mean to share it.", listen)
}
