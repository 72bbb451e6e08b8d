/** The administration app's views (HowTo admin chapter), registered with the router. */
import { deskPhoneView } from "./admin-desk-phone.js";
import { portalView } from "./admin-portal.js";
import { tenantsView, tenantView } from "./admin-tenants.js";
import { addView } from "./router.js";

addView(tenantsView);
addView(tenantView);
addView(portalView);
addView(deskPhoneView);
