package wizard_test

import "github.com/meshgradient/mesh-gradient/gradient/gradienttest"

// faultConnect500: the connect call fails with a 500 that the client must
// not retry (a connect is not safe to repeat).
func faultConnect500() gradienttest.Fault {
	return gradienttest.Fault{Kind: gradienttest.FaultStatus, Status: 500, PathPrefix: "/api/partner/v1/integrations/mesh/connect"}
}
